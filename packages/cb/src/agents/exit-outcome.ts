import type { Failure } from '@flotilla/protocol';
import type { ClassifyInput, Outcome } from './types.js';
import { buildRawTail, splitLines, truncate } from './lines.js';

/** A non-zero exit quicker than this, with no result and no tool call, is a `fast_fail`: the agent never got going. */
export const FAST_FAIL_MS = 10_000;

/** Exit codes a shell reports for SIGINT, SIGKILL and SIGTERM (128 + n). */
const SIGNAL_EXIT_CODES: ReadonlySet<number> = new Set([130, 137, 143]);

export interface AgentIdentity {
  /** Executable as launched, e.g. `claude`. */
  command: string;
  /** One sentence saying how to install it. */
  installHint: string;
}

function failed(failure: Failure): Outcome {
  return { status: 'failed', failure, result: null };
}

/** The most telling line of stderr (or of the output tail): the last one that mentions an error. */
export function headlineOf(stderrTail: string, stdoutTail: readonly string[]): string | null {
  const lines = [...splitLines(stderrTail), ...stdoutTail].map((l) => l.trim()).filter((l) => l !== '');
  const errorLine = [...lines].reverse().find((l) => /error|fatal|cannot|denied|not found|invalid/i.test(l));
  const line = errorLine ?? lines[lines.length - 1];
  return line === undefined ? null : truncate(line, 300);
}

/** Outcome when the runner could not start the agent at all (e.g. ENOENT). */
export function spawnFailure(spawnError: string, agent: AgentIdentity): Outcome {
  const missing = /ENOENT|not found/i.test(spawnError);
  const message = missing
    ? `the ${agent.command} CLI is not installed or not on PATH (${spawnError}). ${agent.installHint}`
    : `could not start ${agent.command}: ${spawnError}`;
  return failed({ kind: 'crashed', message, rawTail: spawnError });
}

function stoppedByRunner(input: ClassifyInput): Outcome | null {
  const seconds = Math.round(input.exit.durationMs / 1000);
  switch (input.exit.stoppedBy) {
    case 'wall_timeout':
      return failed({ kind: 'timeout', timeout: 'wall', message: `stopped after ${seconds}s: the job's wall-clock timeout` });
    case 'idle_timeout':
      return failed({ kind: 'timeout', timeout: 'idle', message: `stopped after ${seconds}s: no output within the idle timeout` });
    case 'budget':
      return failed({ kind: 'budget_exceeded', message: "stopped: the job's cost went over its budget" });
    case 'cancel':
      // The daemon records cancellations itself; this only keeps classify total.
      return failed({ kind: 'interrupted', message: 'cancelled' });
    case 'hangup':
      return failed({ kind: 'interrupted', message: 'stopped by a signal (the tmux session closed or the host shut down)' });
    case null:
      return null;
  }
}

/**
 * Classifies an attempt that produced no recognisable final result: runner stops, signals,
 * quick non-zero exits (`fast_fail`) and everything else (`crashed`, with the raw tail).
 */
export function classifyWithoutResult(input: ClassifyInput, agent: AgentIdentity): Outcome {
  const { exit, progress, stderrTail } = input;
  if (exit.spawnError) return spawnFailure(exit.spawnError, agent);
  const stopped = stoppedByRunner(input);
  if (stopped) return stopped;
  const rawTail = buildRawTail(progress.tail, stderrTail);
  const headline = headlineOf(stderrTail, progress.tail);
  if (exit.signal || (exit.exitCode !== null && SIGNAL_EXIT_CODES.has(exit.exitCode))) {
    const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
    return failed({ kind: 'interrupted', message: `${agent.command} was ${how} before it finished`, rawTail });
  }
  const code = exit.exitCode === null ? 'no exit code' : `exit code ${exit.exitCode}`;
  const quick = exit.durationMs < FAST_FAIL_MS && progress.toolCalls === 0;
  if (exit.exitCode !== 0 && quick) {
    const message = `${agent.command} failed at once (${code})${headline ? `: ${headline}` : ''}`;
    return failed({ kind: 'fast_fail', message, rawTail });
  }
  const message = `${agent.command} ended (${code}) without a result${headline ? `: ${headline}` : ''}`;
  return failed({ kind: 'crashed', message, rawTail });
}
