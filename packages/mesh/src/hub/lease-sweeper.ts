/**
 * Returns the tasks of holders whose lease ran out. A holder's daemon renews its lease for as long
 * as the holder's process lives, so an expired lease means the holder died, hung or lost its host:
 * the task goes back to `todo` (token bumped, so a late write from the old holder is refused).
 */
import createDebug from 'debug';
import type { BoardStore, Task } from '../board/board-store.js';
import type { PublishEvent } from './hub-events.js';
import { publishCommitted } from './board-routes-http.js';

const debug = createDebug('mesh:lease-sweeper');

/**
 * How long to wait for one holder's exit record before deciding without it: an unreachable host
 * must not stall the sweep of every other lease.
 */
const HOLDER_CHECK_TIMEOUT_MS = 10_000;

export interface LeaseSweeperOptions {
  store: BoardStore;
  /** How often to look for expired leases. */
  intervalMs: number;
  /** Hosts unreachable but within their grace period: their holders' leases are frozen, not expired. */
  frozenHosts: () => ReadonlySet<string>;
  /**
   * Whether the holder's exit record shows that it ended (true: the expiry counts as an attempt);
   * false or undefined when it did not end or nobody can tell (the attempt is not counted).
   */
  holderEnded: (task: Task) => Promise<boolean | undefined>;
  publish: PublishEvent;
  /** On start, every held lease runs at least this much longer (the hub was down; nobody could renew). */
  graceOnStartMs: number;
  /** The clock; injected so that tests can move time. */
  now?: () => Date;
}

export interface LeaseSweeper extends AsyncDisposable {
  /** One sweep now (waiting for a running one first); resolves the tasks it returned to `todo`. */
  sweep(): Promise<Task[]>;
  /** Stops the timer and waits for a running sweep. */
  stop(): Promise<void>;
}

/**
 * Grants every held lease one full lease of grace, then sweeps every `intervalMs`. Sweeps never
 * overlap; a failing sweep is logged (`DEBUG=mesh:lease-sweeper`) and the next tick tries again.
 *
 * @example
 * const sweeper = await startLeaseSweeper({ store: board, intervalMs: 5_000, frozenHosts: () => links.frozen(),
 *   holderEnded: (task) => links.holderEnded(task), publish, graceOnStartMs: 30 * 60_000 });
 */
export async function startLeaseSweeper(options: LeaseSweeperOptions): Promise<LeaseSweeper> {
  const now = options.now ?? (() => new Date());
  const granted = await options.store.graceAll(options.graceOnStartMs);
  debug('restart grace of %d ms for %d held leases', options.graceOnStartMs, granted);
  // Every sweep chains after the previous one, so two never run at once; a tick finding one
  // still running skips rather than queueing behind it.
  let tail: Promise<unknown> = Promise.resolve();
  let ticking = false;
  const sweep = (): Promise<Task[]> => {
    const next = tail.then(() => sweepOnce(options, now()));
    tail = next.catch(() => undefined);
    return next;
  };
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    sweep()
      .catch((error: unknown) => debug('sweep failed: %o', error))
      .finally(() => (ticking = false));
  }, options.intervalMs);
  timer.unref();

  const stop = async (): Promise<void> => {
    clearInterval(timer);
    await tail;
  };
  return { sweep, stop, [Symbol.asyncDispose]: stop };
}

async function sweepOnce(options: LeaseSweeperOptions, at: Date): Promise<Task[]> {
  const frozenHosts = options.frozenHosts();
  const iso = at.toISOString();
  const expired = (await options.store.list({ status: ['doing'] })).filter(
    (task) => task.leaseExpiresAt !== null && task.leaseExpiresAt <= iso && !frozenHosts.has(task.holder?.host ?? ''),
  );
  if (expired.length === 0) return [];
  const ended = new Map<string, boolean>();
  await Promise.all(expired.map(async (task) => ended.set(task.id, (await holderEndedWithin(options, task)) === true)));
  const returned = await options.store.expireLeases(at, { frozenHosts, countsAsAttempt: (task) => ended.get(task.id) === true });
  for (const task of returned) {
    debug('lease of %s held by %s on %s expired (attempt counted: %s)', task.key, expiredHolder(task), task.history.at(-1)?.host, ended.get(task.id) === true);
    await publishCommitted(options.publish, { type: 'task.changed', task });
  }
  return returned;
}

/** The holder's answer, or undefined when it fails or takes longer than HOLDER_CHECK_TIMEOUT_MS. */
async function holderEndedWithin(options: LeaseSweeperOptions, task: Task): Promise<boolean | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), HOLDER_CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([options.holderEnded(task), timeout]);
  } catch (error) {
    debug('cannot tell whether the holder of %s ended: %o', task.key, error);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

function expiredHolder(task: Task): string {
  return task.history.at(-1)?.by ?? 'nobody';
}
