/**
 * After a swap, the host's running daemon is still the old code: it is stopped gracefully with
 * `cb daemon stop` (its jobs and sessions live on in tmux; cb guarantees the next daemon re-adopts
 * them, see cb's daemon/recovery.ts) and the new one started with `cb daemon start --json`. A hub
 * attached to the old daemon sees its event stream end and finds the new one by itself (its
 * host connection runs `cb daemon start --json` again; cb's start lock makes both starts one).
 * When the new daemon does not start, `bin/cb` goes back to the previous install and its daemon
 * is started again, and the error says both.
 */
import { z } from 'zod';
import { DaemonStatusSchema } from '@flotilla/protocol';
import { firstJson } from '../hub/daemon-discovery.js';
import type { HostLink } from '../link/host-link.js';
import { BootstrapError, isBootstrapError } from './bootstrap-errors.js';
import { pointBinScript } from './remote-scripts.js';
import { runRemote, shQuote } from './remote-shell.js';

/** cb's own stop waits 10 s for the daemon to settle, then 5 s after SIGTERM; a start takes up to 15 s. */
const STOP_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 90_000;

const StopResultSchema = z.object({ stopped: z.boolean(), pid: z.number().int().optional(), version: z.string().optional() });

export interface DaemonIdentity {
  pid: number;
  version: string;
}

/** The daemon that ran before the swap and the one that runs now. */
export interface DaemonRestart {
  previous: DaemonIdentity;
  current: DaemonIdentity;
}

export interface RestartContext {
  home: string;
  /** `bin/cb`'s target before the swap, to go back to when the new daemon does not start. */
  previousBin: string | null;
  say: (line: string) => void;
}

/** Restarts the daemon of this home with the new cb; null when none was running (none is started). */
export async function restartDaemon(link: HostLink, context: RestartContext): Promise<DaemonRestart | null> {
  const { home, say } = context;
  const stopped = await stopDaemon(link, home);
  if (stopped === null) {
    say(`no cb daemon was running on ${link.name}; the hub starts one with the new cb when it connects`);
    return null;
  }
  say(`stopped the old daemon (cb ${stopped.version}, pid ${stopped.pid}); its jobs and sessions keep running in tmux`);
  try {
    const current = await startDaemon(link, home);
    say(`started the new daemon (cb ${current.version}, pid ${current.pid}); it adopts the running jobs and sessions`);
    return { previous: stopped, current };
  } catch (error) {
    if (!isBootstrapError(error) || context.previousBin === null || context.previousBin === '') throw error;
    throw await rollBack(link, { ...context, previousBin: context.previousBin, failure: error });
  }
}

async function stopDaemon(link: HostLink, home: string): Promise<DaemonIdentity | null> {
  const stdout = await runRemote(link, { what: 'stopping the old cb daemon', script: `${shQuote(`${home}/.flotilla/bin/cb`)} daemon stop --json\n`, timeoutMs: STOP_TIMEOUT_MS });
  const parsed = StopResultSchema.safeParse(firstJson(stdout));
  if (!parsed.success) throw new BootstrapError('REMOTE_FAILED', `cb daemon stop on ${link.name} printed no result: ${stdout.trim().slice(0, 200) || '(nothing)'}`);
  const { stopped, pid, version } = parsed.data;
  return stopped && pid !== undefined ? { pid, version: version ?? 'unknown' } : null;
}

async function startDaemon(link: HostLink, home: string, what = 'starting the new cb daemon'): Promise<DaemonIdentity> {
  const stdout = await runRemote(link, { what, script: `${shQuote(`${home}/.flotilla/bin/cb`)} daemon start --json\n`, timeoutMs: START_TIMEOUT_MS });
  const parsed = DaemonStatusSchema.safeParse(firstJson(stdout));
  if (!parsed.success) throw new BootstrapError('REMOTE_FAILED', `cb daemon start on ${link.name} printed no daemon status`);
  return { pid: parsed.data.pid, version: parsed.data.version };
}

async function rollBack(link: HostLink, context: RestartContext & { previousBin: string; failure: BootstrapError }): Promise<BootstrapError> {
  const { home, previousBin, failure, say } = context;
  say(`the new daemon did not start; pointing ${home}/.flotilla/bin/cb back at ${previousBin}`);
  try {
    await runRemote(link, { what: 'pointing bin/cb back at the previous install', script: pointBinScript(home, previousBin), timeoutMs: 30_000 });
    const again = await startDaemon(link, home, 'starting the previous cb daemon again');
    return new BootstrapError(
      'REMOTE_FAILED',
      `${failure.message}\nThe previous cb (${again.version}) is back in place and its daemon runs again (pid ${again.pid}); the new install was verified under a throwaway home, so daemon.log in the daemon's FLOTILLA_HOME (default ~/.flotilla) on ${link.name} says why it did not start there.`,
      { cause: failure },
    );
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return new BootstrapError('REMOTE_FAILED', `${failure.message}\nGoing back to the previous cb failed too: ${why}`, { cause: failure });
  }
}
