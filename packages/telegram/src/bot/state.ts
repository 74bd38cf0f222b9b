/**
 * What the bot remembers across restarts, in `$FLOTILLA_HOME/telegram-state.json` (0600): the
 * recently handled update ids (so a redelivered update is handled once), the last event id (the
 * notification stream resumes after it), which notification message belongs to which job or
 * session (so replies route), and each chat's selected session. Writes are batched.
 */
import { readFile } from 'node:fs/promises';
import createDebug from 'debug';
import { z } from 'zod';
import { writeFileAtomic } from '@flotilla/kit/fs';

const debug = createDebug('bot:state');

/** Enough to cover any redelivery window (Telegram keeps unconfirmed updates for 24 h; a bot sees far fewer). */
const MAX_REMEMBERED_UPDATES = 2_000;
/** Replies to notifications older than this many messages no longer route; they are weeks old. */
const MAX_ROUTES = 5_000;
/** Batches the many small changes of a busy minute into one write. */
const SAVE_DELAY_MS = 250;

export const RouteSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('job'), jobId: z.string().min(1) }),
  z.object({ kind: z.literal('session'), name: z.string().min(1) }),
]);
export type Route = z.infer<typeof RouteSchema>;

const StateFileSchema = z.object({
  updateIds: z.array(z.number().int()).default([]),
  lastUpdateId: z.number().int().nullable().default(null),
  lastEventId: z.number().int().nonnegative().nullable().default(null),
  routes: z.array(z.tuple([z.string(), RouteSchema])).default([]),
  selected: z.record(z.string(), z.string()).default({}),
});

export interface BotState {
  /** True the first time an update id is seen; false for a duplicate. Records it. */
  claimUpdate(updateId: number): boolean;
  lastEventId(): number | null;
  setLastEventId(id: number): void;
  route(chatId: number, messageId: number): Route | null;
  setRoute(chatId: number, messageId: number, route: Route): void;
  selectedSession(chatId: number): string | null;
  selectSession(chatId: number, name: string | null): void;
  /** Writes pending changes now. */
  flush(): Promise<void>;
}

/** Loads the state file (a missing or unreadable one starts empty, logged) and returns the live state. */
export async function loadBotState(path: string, log: (line: string) => void = () => undefined): Promise<BotState> {
  const file = await readState(path, log);
  const updateIds = new Set(file.updateIds);
  const routes = new Map(file.routes);
  const selected = new Map(Object.entries(file.selected));
  let lastUpdateId = file.lastUpdateId;
  let lastEventId = file.lastEventId;
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();

  const snapshot = (): z.infer<typeof StateFileSchema> => ({
    updateIds: [...updateIds],
    lastUpdateId,
    lastEventId,
    routes: [...routes],
    selected: Object.fromEntries(selected),
  });
  const write = (): Promise<void> => {
    timer = null;
    const text = `${JSON.stringify(snapshot())}\n`;
    writing = writing.then(() => writeFileAtomic(path, text, { mode: 0o600 })).catch((error: unknown) => log(`could not save ${path}: ${(error as Error).message}`));
    return writing;
  };
  const changed = (): void => {
    if (!timer) timer = setTimeout(() => void write(), SAVE_DELAY_MS);
  };
  const key = (chatId: number, messageId: number): string => `${chatId}:${messageId}`;

  return {
    claimUpdate(updateId) {
      if (updateIds.has(updateId)) return false;
      updateIds.add(updateId);
      if (updateIds.size > MAX_REMEMBERED_UPDATES) updateIds.delete(updateIds.values().next().value as number);
      lastUpdateId = updateId;
      changed();
      return true;
    },
    lastEventId: () => lastEventId,
    setLastEventId(id) {
      lastEventId = id;
      changed();
    },
    route: (chatId, messageId) => routes.get(key(chatId, messageId)) ?? null,
    setRoute(chatId, messageId, route) {
      routes.set(key(chatId, messageId), route);
      if (routes.size > MAX_ROUTES) routes.delete(routes.keys().next().value as string);
      changed();
    },
    selectedSession: (chatId) => selected.get(String(chatId)) ?? null,
    selectSession(chatId, name) {
      if (name === null) selected.delete(String(chatId));
      else selected.set(String(chatId), name);
      changed();
    },
    async flush() {
      if (timer) clearTimeout(timer);
      await write();
    },
  };
}

async function readState(path: string, log: (line: string) => void): Promise<z.infer<typeof StateFileSchema>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log(`could not read ${path}: ${(error as Error).message}; starting with an empty state`);
    return StateFileSchema.parse({});
  }
  try {
    return StateFileSchema.parse(JSON.parse(text));
  } catch (error) {
    debug('state file %s unreadable: %o', path, error);
    log(`${path} is not a valid state file; starting with an empty one (it will be rewritten)`);
    return StateFileSchema.parse({});
  }
}
