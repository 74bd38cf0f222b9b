import { HostSchema, MessageSchema, TaskSchema, type Host, type Message, type Task } from '@flotilla/protocol';

/** Valid hub objects for the dashboard's tests, parsed with the protocol's schemas. */
export const T0 = '2026-11-25T12:00:00.000Z';

let keys = 0;
export function task(id: string, extra: Partial<Task> = {}): Task {
  keys += 1;
  return TaskSchema.parse({
    id,
    key: `T-${keys}`,
    title: `task ${id}`,
    body: '',
    tags: [],
    priority: 'normal',
    for: null,
    after: [],
    status: 'todo',
    holder: null,
    leaseExpiresAt: null,
    token: 0,
    attempts: 0,
    branch: null,
    previousJobId: null,
    history: [{ at: T0, kind: 'added', by: 'user' }],
    createdAt: T0,
    updatedAt: T0,
    ...extra,
  });
}

export function host(name: string, extra: Partial<Host> = {}): Host {
  return HostSchema.parse({
    name,
    spec: name,
    target: `me@${name}:22`,
    state: 'up',
    since: T0,
    latencyMs: 12,
    error: null,
    hostKey: { verdict: 'known', fingerprint: 'SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', keyType: 'ssh-ed25519' },
    mode: 'daemon',
    cbVersion: '0.1.0',
    running: 1,
    queued: 0,
    sessions: 1,
    slots: 4,
    freeSlots: 3,
    paused: false,
    lastSeenAt: T0,
    ...extra,
  });
}

let ids = 0;
/** A ULID-shaped id, distinct per call. */
export function ulid(): string {
  ids += 1;
  return `01JZ${String(ids).padStart(22, '0')}`;
}

export function message(seq: number | null, extra: Partial<Message> = {}): Message {
  return MessageSchema.parse({
    id: ulid(),
    seq,
    from: 'user',
    fromHost: null,
    to: seq === null ? 'reviewer' : '#channel',
    text: `message ${seq ?? 'direct'}`,
    mentions: [],
    deliveries: [],
    createdAt: T0,
    ...extra,
  });
}
