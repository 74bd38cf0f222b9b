/**
 * Finding, starting and stopping this home's daemon. Free of zod and commander: `cb "…"` runs
 * through here on every start-up. Two first runs at once start exactly one daemon: starting
 * happens under `daemon.lock`, and whoever gets the lock second finds the first one's daemon.
 */
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Transport } from '@flotilla/protocol';
import { createSocketTransport } from '@flotilla/kit/transport';
import type { HomePaths } from '../home.js';
import { DaemonUnavailableError } from './errors.js';
import { VERSION as CB_VERSION } from '../version.js';

/** Poll interval while a daemon starts or stops: it is up within ~100 ms, so poll often. */
const POLL_MS = 25;
/** A cold daemon opens SQLite, runs migrations and adopts tmux sessions; 15 s is very generous. */
const START_TIMEOUT_MS = 15_000;
/** `POST /api/daemon/stop` lets running work settle; after this long we send SIGTERM, then SIGKILL. */
const STOP_GRACE_MS = 10_000;
const TERM_GRACE_MS = 5_000;
/** A health probe that takes longer than this means a wedged daemon. */
const HEALTH_TIMEOUT_MS = 3_000;
/** Longer than a start plus a stop, so a waiter never gives up on a starter that is on time. */
const LOCK_TIMEOUT_MS = 45_000;

/** What the daemon writes to `daemon.json` once it listens. */
export interface DaemonRecord {
  pid: number;
  version: string;
  protocol: number;
  socket: string;
  startedAt: string;
}

/** `GET /health`. */
export interface DaemonHealth {
  pid: number;
  version: string;
  protocol: number;
}

export interface DaemonOptions {
  paths: HomePaths;
  /** Environment the daemon is started with (default: this process's). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The version we expect (default: this package's); a daemon of another version is replaced. */
  version?: string;
  /** Script to run with `process.execPath` (default: `dist/daemon/main.js` of this package). */
  daemonEntry?: string;
  transportFor?: (socket: string) => Transport;
  startTimeoutMs?: number;
}

export interface DaemonConnection {
  transport: Transport;
  health: DaemonHealth;
  socket: string;
  /** True when this call started the daemon. */
  started: boolean;
}

export function defaultDaemonEntry(): string {
  return fileURLToPath(new URL('../../dist/daemon/main.js', import.meta.url));
}

/** `daemon.json`, or null when it is missing or unreadable. */
export function readDaemonRecord(path: string): DaemonRecord | null {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<DaemonRecord>;
    if (typeof value.pid !== 'number' || typeof value.socket !== 'string') return null;
    return value as DaemonRecord;
  } catch {
    return null;
  }
}

/**
 * A transport to the daemon `daemon.json` names, when it is of our version, without asking it
 * anything: saves a round trip on every `cb "…"`. A request over it that fails with
 * DAEMON_UNAVAILABLE reached nobody and can be retried after `ensureDaemon`.
 */
export function recordedDaemon(options: DaemonOptions): Transport | null {
  const record = readDaemonRecord(options.paths.daemonJson);
  if (!record || record.version !== (options.version ?? CB_VERSION)) return null;
  return (options.transportFor ?? createSocketTransport)(record.socket);
}

/** The running, healthy daemon of this home (of any version), or null. Never starts one. */
export async function findDaemon(options: DaemonOptions): Promise<DaemonConnection | null> {
  const record = readDaemonRecord(options.paths.daemonJson);
  const sockets = [...new Set([record?.socket, options.paths.socket].filter((s): s is string => !!s))];
  for (const socket of sockets) {
    const transport = (options.transportFor ?? createSocketTransport)(socket);
    const health = await probeHealth(transport);
    if (health) return { transport, health, socket, started: false };
  }
  return null;
}

/**
 * Returns a connection to a healthy daemon of our version: the running one, or one started now
 * (replacing a daemon of another version).
 *
 * @example const { transport } = await ensureDaemon({ paths: homePaths(resolveHome()) });
 */
export async function ensureDaemon(options: DaemonOptions): Promise<DaemonConnection> {
  const version = options.version ?? CB_VERSION;
  const running = await findDaemon(options);
  if (running?.health.version === version) return running;
  mkdirSync(options.paths.home, { recursive: true, mode: 0o700 });
  const lock = await takeStartLock(options.paths);
  try {
    const again = await findDaemon(options);
    if (again?.health.version === version) return again;
    if (again) await stopAndWait(again, options.paths);
    return await startDaemon(options);
  } finally {
    await lock.release();
  }
}

/** Stops the running daemon, if any, and waits for its process to exit. Returns what it stopped. */
export async function stopDaemon(options: DaemonOptions): Promise<DaemonHealth | null> {
  const running = await findDaemon(options);
  if (!running) return null;
  await stopAndWait(running, options.paths);
  return running.health;
}

async function takeStartLock(paths: HomePaths): Promise<{ release(): Promise<void> }> {
  const { acquireLock, isKitError } = await import('@flotilla/kit/fs');
  try {
    return await acquireLock(paths.daemonLock, { timeoutMs: LOCK_TIMEOUT_MS });
  } catch (error) {
    if (!isKitError(error, 'LOCK_TIMEOUT')) throw error;
    throw new DaemonUnavailableError(
      `another cb has been starting the daemon for ${LOCK_TIMEOUT_MS / 1000} s (${(error as Error).message})`,
      paths.daemonLog,
      { cause: error },
    );
  }
}

async function probeHealth(transport: Transport): Promise<DaemonHealth | null> {
  try {
    const res = await transport.request({ method: 'GET', path: '/health', signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    const body = res.body as Partial<DaemonHealth> | null;
    if (res.status !== 200 || typeof body?.pid !== 'number' || typeof body.version !== 'string') return null;
    return { pid: body.pid, version: body.version, protocol: Number(body.protocol) };
  } catch {
    return null;
  }
}

async function stopAndWait(running: DaemonConnection, paths: HomePaths): Promise<void> {
  try {
    await running.transport.request({ method: 'POST', path: '/api/daemon/stop', signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
  } catch {
    // It may close the connection as it goes; the pid tells whether it went.
  }
  await waitForDaemonExit(running.health.pid, paths);
}

/**
 * Waits for a daemon asked to stop to exit; after a grace period sends SIGTERM, then SIGKILL
 * (safe: agents run in tmux and a restarted daemon adopts them).
 */
export async function waitForDaemonExit(pid: number, paths: HomePaths): Promise<void> {
  if (await waitForExit(pid, STOP_GRACE_MS)) return;
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, TERM_GRACE_MS)) return;
  signal(pid, 'SIGKILL');
  if (await waitForExit(pid, 2_000)) return;
  throw new DaemonUnavailableError(`the daemon (pid ${pid}) does not stop`, paths.daemonLog);
}

async function startDaemon(options: DaemonOptions): Promise<DaemonConnection> {
  const { paths } = options;
  const entry = options.daemonEntry ?? defaultDaemonEntry();
  const logStart = sizeOf(paths.daemonLog);
  const { spawn } = await import('node:child_process');
  const log = openSync(paths.daemonLog, 'a', 0o600);
  let exited: string | undefined;
  try {
    const child = spawn(process.execPath, [entry], {
      cwd: paths.home,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...(options.env ?? process.env), FLOTILLA_HOME: paths.home },
    });
    child.once('error', (error) => (exited = error.message));
    child.once('exit', (code, sig) => (exited = sig ? `signal ${sig}` : `exit code ${code}`));
    child.unref();
  } finally {
    closeSync(log);
  }
  const deadline = Date.now() + (options.startTimeoutMs ?? START_TIMEOUT_MS);
  while (Date.now() < deadline) {
    const found = await findDaemon(options);
    if (found) return { ...found, started: true };
    if (exited !== undefined) {
      throw new DaemonUnavailableError(`the daemon exited while starting (${exited})${logTail(paths.daemonLog, logStart)}`, paths.daemonLog);
    }
    await sleep(POLL_MS);
  }
  throw new DaemonUnavailableError(
    `the daemon did not answer on ${paths.socket} within ${(options.startTimeoutMs ?? START_TIMEOUT_MS) / 1000} s${logTail(paths.daemonLog, logStart)}`,
    paths.daemonLog,
  );
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  if (!(pid > 1)) return; // kill(0) or kill(-1) would signal our own group or every process
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The last lines this start wrote to the daemon log, to show with the error. */
function logTail(path: string, from: number): string {
  try {
    const text = readFileSync(path).subarray(from).toString('utf8').trim();
    if (text === '') return '';
    return `:\n${text.split('\n').slice(-15).join('\n')}`;
  } catch {
    return '';
  }
}
