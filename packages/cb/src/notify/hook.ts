import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import type { Job } from '@flotilla/protocol';
import createDebug from 'debug';
import { execFileResult } from '@flotilla/kit/process';
import { endDelivery, stderrTail, type ChannelContext, type Delivery } from './delivery.js';

const debug = createDebug('cb:notify');

/** A notification hook should post and return; 30 s means it hangs, and hung hooks pile up one per job. */
export const HOOK_TIMEOUT_MS = 30_000;
/** Hook output is only read for an error message. */
const HOOK_OUTPUT_BYTES = 16 * 1024;

export interface HookContext extends ChannelContext {
  timeoutMs: number;
}

/**
 * The command's first word, which names it in records without leaking its arguments;
 * leading `NAME=value` assignments are skipped, since their values are often tokens.
 */
export function hookTarget(command: string): string {
  const words = command.trim().split(/\s+/);
  return words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) ?? 'sh';
}

/** What one hook run gets: where it runs, what it reads on stdin, which variables it sees, what it is about (for logs). */
export interface HookRun {
  cwd: string;
  input: string;
  env: Record<string, string>;
  subject: string;
}

/** Runs a hook command with `sh -c`; its process group is killed on timeout. Never throws. */
export async function runHook(command: string, run: HookRun, ctx: HookContext): Promise<Delivery> {
  const target = hookTarget(command);
  const result = await execFileResult('sh', ['-c', command], {
    cwd: existsSync(run.cwd) ? run.cwd : homedir(),
    env: { ...ctx.env, ...run.env },
    input: run.input,
    timeoutMs: ctx.timeoutMs,
    maxOutputBytes: HOOK_OUTPUT_BYTES,
    signal: ctx.signal,
  });
  let error: string | null = null;
  if (result.timedOut) error = `killed after ${ctx.timeoutMs} ms without finishing`;
  else if (ctx.signal.aborted) error = 'cancelled: the notifier was disposed';
  else if (result.exitCode === null && result.signal === null) error = `could not start: ${stderrTail(result.stderr)}`;
  else if (result.exitCode !== 0) {
    const how = result.signal ? `killed by ${result.signal}` : `exited with ${result.exitCode}`;
    error = result.stderr.trim() ? `${how}: ${stderrTail(result.stderr)}` : how;
  }
  debug('hook %s for %s: %s (%d ms)', target, run.subject, error ?? 'ok', result.durationMs);
  return endDelivery({ channel: 'hook', target, ok: error === null, attempts: 1, status: result.exitCode, error });
}

/**
 * Runs the user's configured `hooks.onJobEnd` with the job as JSON on stdin and
 * `FLOTILLA_JOB_ID`/`FLOTILLA_JOB_STATUS` set, in the job's worktree (else its cwd). Never throws.
 */
export function runJobEndHook(command: string, job: Job, ctx: HookContext): Promise<Delivery> {
  const cwd = job.worktree?.path && existsSync(job.worktree.path) ? job.worktree.path : job.cwd;
  return runHook(command, { cwd, input: JSON.stringify(job), env: { FLOTILLA_JOB_ID: job.id, FLOTILLA_JOB_STATUS: job.status }, subject: job.id }, ctx);
}
