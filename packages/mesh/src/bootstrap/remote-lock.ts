/**
 * One bootstrap of a host at a time: `~/.flotilla/bootstrap.lock`, a directory made atomically
 * (mkdir) holding `owner.json` (which machine and process took it, when, and a random token).
 * A second bootstrap is refused with who holds the lock and since when. A lock older than
 * `LOCK_STALE_MS`, or held by a process of this same machine that no longer exists (a bootstrap
 * killed with Ctrl-C) or by this process without it holding it any more (a release lost with the
 * link), is taken over: renamed aside under its owner's token — a rename only one
 * taker can win — then made afresh. Released (only by its owner) in bootstrap's `finally`.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import type { HostLink } from '../link/host-link.js';
import { BootstrapError } from './bootstrap-errors.js';
import { firstJson } from '../hub/daemon-discovery.js';
import { runRemote, shQuote } from './remote-shell.js';

/**
 * Longer than the slowest bootstrap that still finishes (upload, 10 min of npm, 2 min of
 * verification, a daemon restart): a lock this old belongs to a run that died with its machine.
 */
export const LOCK_STALE_MS = 30 * 60_000;
const LOCK_STEP_TIMEOUT_MS = 30_000;
/** The tokens of the locks this process holds now (a lock of this pid with another token was left behind). */
const held = new Set<string>();

const LockOwnerSchema = z.object({ machine: z.string(), pid: z.number().int(), token: z.string(), startedAt: z.string() });
type LockOwner = z.infer<typeof LockOwnerSchema>;

const LockAnswerSchema = z.discriminatedUnion('taken', [
  z.object({ taken: z.literal(true) }),
  z.object({ taken: z.literal(false), owner: LockOwnerSchema.nullable(), identity: z.string(), ageMs: z.number() }),
]);

/** The lock as held: release it in `finally`. */
export interface HostLock {
  release(): Promise<void>;
}

// argv: lock dir, the owner to write (without startedAt), the identity of a stale lock to take over ("" for none).
const LOCK_NODE = `
const fs = require("node:fs");
const [lock, ownerJson, stale] = process.argv.slice(1);
const file = lock + "/owner.json";
const read = () => { try { return JSON.parse(fs.readFileSync(file, "utf8")); } catch { return null; } };
const identityOf = (owner) => owner && typeof owner.token === "string" ? owner.token : "mtime-" + fs.statSync(lock).mtimeMs;
if (stale) {
  try { if (identityOf(read()) === stale) fs.renameSync(lock, lock + ".stale-" + stale.replace(/[^A-Za-z0-9.-]/g, "")); } catch {}
}
try {
  fs.mkdirSync(lock, { mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(ownerJson), startedAt: new Date().toISOString() }));
  console.log(JSON.stringify({ taken: true }));
} catch (error) {
  if (error.code !== "EEXIST") throw error;
  const owner = read();
  const since = owner && Date.parse(owner.startedAt) || fs.statSync(lock).mtimeMs;
  console.log(JSON.stringify({ taken: false, owner, identity: identityOf(owner), ageMs: Date.now() - since }));
}`;

function lockDir(home: string): string {
  return `${home}/.flotilla/bootstrap.lock`;
}

/**
 * Takes the host's bootstrap lock or throws `BOOTSTRAP_RUNNING` in words.
 * @example
 * const lock = await takeHostLock(link, facts.home);
 * try { … } finally { await lock.release(); }
 */
export async function takeHostLock(link: HostLink, home: string): Promise<HostLock> {
  const owner = { machine: hostname(), pid: process.pid, token: randomUUID() };
  // Counted as held from before the attempt: another bootstrap of this process that meets the lock
  // while this attempt's answer is still on its way must see it held, not left behind.
  held.add(owner.token);
  try {
    let answer = await tryLock(link, home, owner, '');
    if (!answer.taken && isStale(answer.owner, answer.ageMs)) answer = await tryLock(link, home, owner, answer.identity);
    if (!answer.taken) throw runningError(link.name, home, answer.owner, answer.ageMs);
  } catch (error) {
    held.delete(owner.token);
    throw error;
  }
  return {
    release: async () => {
      held.delete(owner.token);
      await releaseLock(link, home, owner.token);
    },
  };
}

async function tryLock(link: HostLink, home: string, owner: Omit<LockOwner, 'startedAt'>, stale: string): Promise<z.infer<typeof LockAnswerSchema>> {
  const script = `umask 077\nmkdir -p ${shQuote(`${home}/.flotilla`)}\nnode -e ${shQuote(LOCK_NODE)} ${shQuote(lockDir(home))} ${shQuote(JSON.stringify(owner))} ${shQuote(stale)}\n`;
  const stdout = await runRemote(link, { what: `taking the bootstrap lock ${lockDir(home)}`, script, timeoutMs: LOCK_STEP_TIMEOUT_MS });
  const parsed = LockAnswerSchema.safeParse(firstJson(stdout));
  if (!parsed.success) throw new BootstrapError('REMOTE_FAILED', `taking the bootstrap lock on ${link.name} printed no answer: ${stdout.trim().slice(0, 200) || '(nothing)'}`);
  return parsed.data;
}

/** Old enough, or its owner was a process of this machine that is gone, or this process, which let it go. */
function isStale(owner: LockOwner | null, ageMs: number): boolean {
  if (ageMs > LOCK_STALE_MS) return true;
  if (owner === null || owner.machine !== hostname()) return false;
  return owner.pid === process.pid ? !held.has(owner.token) : !processAlive(owner.pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function runningError(host: string, home: string, owner: LockOwner | null, ageMs: number): BootstrapError {
  const who = owner === null ? 'a bootstrap' : `the bootstrap of process ${owner.pid} on ${owner.machine}`;
  const minutes = Math.max(0, Math.round(ageMs / 60_000));
  return new BootstrapError(
    'BOOTSTRAP_RUNNING',
    `another bootstrap of ${host} is running (${who}, started ${minutes < 1 ? 'less than a minute' : `${minutes} min`} ago); wait for it to finish. ` +
      `A lock older than ${LOCK_STALE_MS / 60_000} min is taken over; if you are sure none runs, remove ${lockDir(home)} on ${host}.`,
  );
}

async function releaseLock(link: HostLink, home: string, token: string): Promise<void> {
  const dir = lockDir(home);
  const script = `L=${shQuote(dir)}\nif grep -qF ${shQuote(token)} "$L/owner.json" 2>/dev/null; then rm -rf "$L" "$L".stale-*; fi\n`;
  await runRemote(link, { what: `releasing the bootstrap lock ${dir}`, script, timeoutMs: LOCK_STEP_TIMEOUT_MS });
}
