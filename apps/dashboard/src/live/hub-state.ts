import type { FlotillaEvent, Host, Message, Task } from '@flotilla/protocol';

/**
 * What a hub adds to the live state: its hosts, its board and its messages. Every function here is
 * pure and returns the same reference when nothing changed, so a component that selects a slice
 * re-renders only when that slice did.
 */
export interface HubState {
  hosts: ReadonlyMap<string, Host>;
  /** Board tasks by id: every open one, and the finished ones of the last day. */
  tasks: ReadonlyMap<string, Task>;
  /** The channel's newest posts, oldest first (by `seq`). */
  channel: readonly Message[];
  /** Direct messages seen while the page is open (sent from it or by agents), oldest first. */
  directs: readonly Message[];
}

/** Channel posts kept: the newest; older ones stay in the hub's store. */
export const MAX_CHANNEL = 500;
export const MAX_DIRECTS = 100;
/** Finished tasks kept in memory: those of the last day, at most this many. */
export const MAX_FINISHED_TASKS = 300;
export const FINISHED_TASK_TTL_MS = 24 * 60 * 60 * 1000;

export const initialHubState: HubState = { hosts: new Map(), tasks: new Map(), channel: [], directs: [] };

/** A hub's event applied to the live state (any state holding the hub's parts); other events return it as it is. */
export function applyHubEvent<S extends HubState>(state: S, event: FlotillaEvent): S {
  switch (event.type) {
    case 'host.changed':
      return { ...state, hosts: withHost(state.hosts, event.hostInfo) };
    case 'host.removed':
      return { ...state, hosts: withoutHost(state.hosts, event.name) };
    case 'task.changed':
      return { ...state, tasks: withTask(state.tasks, event.task, Date.parse(event.at)) };
    case 'message.created':
    case 'message.updated':
      return withMessage(state, event.message);
    default:
      return state;
  }
}

/** What a hub call answered with (an added task, a sent message, an added or removed host). */
export type HubUpdate = { task: Task } | { message: Message } | { host: Host } | { removedHost: string };

export function withHubUpdate<S extends HubState>(state: S, update: HubUpdate, now: number): S {
  if ('task' in update) return { ...state, tasks: withTask(state.tasks, update.task, now) };
  if ('host' in update) return { ...state, hosts: withHost(state.hosts, update.host) };
  if ('removedHost' in update) return { ...state, hosts: withoutHost(state.hosts, update.removedHost) };
  return withMessage(state, update.message);
}

export interface HubSnapshot {
  hosts: readonly Host[] | null;
  tasks: readonly Task[] | null;
  channel: readonly Message[] | null;
}

/** Replaces what the snapshot fetched; a part it did not fetch (a feature the server lacks) stays. */
export function withHubSnapshot<S extends HubState>(state: S, snapshot: HubSnapshot, now: number): S {
  return {
    ...state,
    hosts: snapshot.hosts ? new Map(snapshot.hosts.map((host) => [host.name, host])) : state.hosts,
    tasks: snapshot.tasks ? boundTasks(new Map(snapshot.tasks.map((task) => [task.id, task])), now) : state.tasks,
    channel: snapshot.channel ? bySeq(snapshot.channel).slice(-MAX_CHANNEL) : state.channel,
  };
}

export function withHost(hosts: ReadonlyMap<string, Host>, host: Host): ReadonlyMap<string, Host> {
  const copy = new Map(hosts);
  copy.set(host.name, host);
  return copy;
}

export function withoutHost(hosts: ReadonlyMap<string, Host>, name: string): ReadonlyMap<string, Host> {
  if (!hosts.has(name)) return hosts;
  const copy = new Map(hosts);
  copy.delete(name);
  return copy;
}

/** A task as the hub now has it; an older copy (an event replayed after a fetch) is ignored. */
export function withTask(tasks: ReadonlyMap<string, Task>, task: Task, now: number): ReadonlyMap<string, Task> {
  const old = tasks.get(task.id);
  if (old && old.updatedAt > task.updatedAt) return tasks;
  const copy = new Map(tasks);
  copy.set(task.id, task);
  return boundTasks(copy, now);
}

const FINISHED = new Set<Task['status']>(['done', 'failed']);

/**
 * Lets go of finished tasks older than a day (and of the oldest beyond MAX_FINISHED_TASKS), except
 * those an open task waits for: its card must still say what it waits for.
 */
export function boundTasks(tasks: ReadonlyMap<string, Task>, now: number): ReadonlyMap<string, Task> {
  const finished = [...tasks.values()].filter((task) => FINISHED.has(task.status));
  const old = finished.filter((task) => now - Date.parse(task.updatedAt) > FINISHED_TASK_TTL_MS);
  const surplus = finished.length - old.length - MAX_FINISHED_TASKS;
  if (old.length === 0 && surplus <= 0) return tasks;
  const needed = new Set<string>();
  for (const task of tasks.values()) if (!FINISHED.has(task.status)) for (const ref of task.after) needed.add(ref);
  const drop = new Set(old.map((task) => task.id));
  if (surplus > 0) {
    const young = finished.filter((task) => !drop.has(task.id)).sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    for (const task of young.slice(0, surplus)) drop.add(task.id);
  }
  const copy = new Map(tasks);
  for (const id of drop) if (!needed.has(id) && !needed.has(tasks.get(id)!.key)) copy.delete(id);
  return copy.size === tasks.size ? tasks : copy;
}

/** A message written or updated (a delivery moved): into the channel or the direct messages. */
export function withMessage<S extends HubState>(state: S, message: Message): S {
  if (message.seq === null) {
    const directs = upsertMessage(state.directs, message, true);
    return directs === state.directs ? state : { ...state, directs: directs.slice(-MAX_DIRECTS) };
  }
  const channel = upsertMessage(state.channel, message, false);
  return channel === state.channel ? state : { ...state, channel: channel.slice(-MAX_CHANNEL) };
}

/**
 * Replaces the message with the same id, or inserts it in order. A channel post older than the
 * oldest kept is not brought back (the list holds the newest).
 */
function upsertMessage(list: readonly Message[], message: Message, direct: boolean): readonly Message[] {
  const at = list.findIndex((m) => m.id === message.id);
  if (at >= 0) {
    const copy = [...list];
    copy[at] = message;
    return copy;
  }
  const first = list[0];
  if (!direct && list.length >= MAX_CHANNEL && first && (first.seq ?? 0) > (message.seq ?? 0)) return list;
  const last = list[list.length - 1];
  if (!last || order(last, message) <= 0) return [...list, message];
  return direct ? [...list, message].sort(order) : bySeq([...list, message]);
}

function order(a: Message, b: Message): number {
  return a.seq !== null && b.seq !== null ? a.seq - b.seq : a.createdAt.localeCompare(b.createdAt);
}

function bySeq(messages: readonly Message[]): Message[] {
  return [...messages].sort(order);
}
