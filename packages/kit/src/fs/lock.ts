import { randomBytes } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import createDebug from 'debug';
import { KitError, errnoCode } from '../internal/errors.js';
import { isAlive, processStartTime } from '../process/process-info.js';

const debug = createDebug('kit:fs');

/** Between attempts on a held lock: short, because holders usually keep it for milliseconds. */
const RETRY_MS = 20;
/**
 * A lock file whose content cannot be read is being written right now (open and write are two
 * steps) — or its writer crashed in between. After this long it is the latter.
 */
const DEFAULT_STALE_MS = 10_000;

export type LockErrorCode = 'LOCK_TIMEOUT';

/** What a lock file holds. */
export interface LockOwner {
  pid: number;
  /** `processStartTime(pid)` when the lock was taken, to tell a reused pid from the holder. */
  startTime: number | null;
  /** ISO time the lock was taken. */
  at: string;
  /** Random per acquisition, so release never removes somebody else's lock. */
  nonce: string;
}

export interface Lock extends AsyncDisposable {
  readonly path: string;
  readonly owner: LockOwner;
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

export interface AcquireLockOptions {
  /** How long an unreadable lock file may exist before it is considered abandoned (default 10 s). */
  staleMs?: number;
  /** Give up with `LOCK_TIMEOUT` after this long (default 10 s; 0 = one attempt). */
  timeoutMs?: number;
}

/**
 * Takes an inter-process lock: creates `path` exclusively (`open(path, 'wx')`) holding
 * `{pid, startTime, at, nonce}`. A lock whose holder is dead — or whose pid now belongs to a
 * different process — is broken and taken over. Breaking is serialized through `<path>.break`,
 * so two waiters can never both break and both win.
 *
 * @example
 * await using lock = await acquireLock(join(home, 'daemon.lock'), { timeoutMs: 0 });
 */
export async function acquireLock(path: string, options: AcquireLockOptions = {}): Promise<Lock> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const owner: LockOwner = {
    pid: process.pid,
    startTime: await processStartTime(process.pid),
    at: new Date().toISOString(),
    nonce: randomBytes(8).toString('hex'),
  };
  for (;;) {
    if (await tryCreate(path, owner)) return createLock(path, owner);
    const holder = await readHolder(path);
    if (holder !== undefined && (await isAbandoned(path, holder, staleMs))) {
      await breakLock(path, holder.raw, staleMs);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new KitError<LockErrorCode>('LOCK_TIMEOUT', `lock ${path} is held by ${describe(holder?.owner)}`);
    }
    await sleep(RETRY_MS);
  }
}

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(owner));
  } finally {
    await handle.close();
  }
  return true;
}

interface Holder {
  raw: string;
  owner: LockOwner | undefined;
}

/** The lock file's content, or undefined when it vanished meanwhile. */
async function readHolder(path: string): Promise<Holder | undefined> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  return { raw, owner: parseOwner(raw) };
}

function parseOwner(raw: string): LockOwner | undefined {
  try {
    const value = JSON.parse(raw) as Partial<LockOwner>;
    if (typeof value.pid !== 'number') return undefined;
    return {
      pid: value.pid,
      startTime: typeof value.startTime === 'number' ? value.startTime : null,
      at: String(value.at),
      nonce: String(value.nonce),
    };
  } catch {
    return undefined;
  }
}

async function isAbandoned(path: string, holder: Holder, staleMs: number): Promise<boolean> {
  const owner = holder.owner;
  if (owner === undefined) return olderThan(path, staleMs);
  if (!isAlive(owner.pid)) return true;
  if (owner.startTime === null) return false;
  const current = await processStartTime(owner.pid);
  return current !== null && current !== owner.startTime;
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ms;
  } catch {
    return false;
  }
}

/**
 * Removes an abandoned lock, provided its content is still what we judged abandoned. The breaker
 * mutex is itself a lock; it is held for microseconds, so a dead breaker is rare and handled
 * like any other abandoned lock.
 */
async function breakLock(path: string, judgedRaw: string, staleMs: number): Promise<void> {
  const breaker = `${path}.break`;
  const me: LockOwner = { pid: process.pid, startTime: null, at: new Date().toISOString(), nonce: randomBytes(8).toString('hex') };
  if (!(await tryCreate(breaker, me))) {
    const other = await readHolder(breaker);
    if (other !== undefined && (await isAbandoned(breaker, other, staleMs))) await unlinkIfSame(breaker, other.raw);
    return;
  }
  try {
    if (await unlinkIfSame(path, judgedRaw)) debug('broke abandoned lock %s: %s', path, judgedRaw);
  } finally {
    await unlinkIfSame(breaker, JSON.stringify(me));
  }
}

async function unlinkIfSame(path: string, raw: string): Promise<boolean> {
  const current = await readHolder(path);
  if (current?.raw !== raw) return false;
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}

function createLock(path: string, owner: LockOwner): Lock {
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    if (!(await unlinkIfSame(path, JSON.stringify(owner)))) debug('lock %s was no longer ours at release', path);
  };
  return { path, owner, release, [Symbol.asyncDispose]: release };
}

function describe(owner: LockOwner | undefined): string {
  return owner === undefined ? 'an unknown holder' : `pid ${owner.pid} since ${owner.at}`;
}
