/**
 * Running bootstrap's scripts on a host: each goes to `sh -s` on stdin, so the user's login
 * shell (bash, zsh, fish) only ever sees `sh -s`, and nothing in the script needs quoting twice.
 */
import type { HostLink } from '../link/host-link.js';
import { isLinkError } from '../link/link-errors.js';
import { BootstrapError, lastLines } from './bootstrap-errors.js';

/** `value` as one sh word. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface RemoteStep {
  /** What the step does, in words ("npm install"), for the error message. */
  what: string;
  script: string;
  timeoutMs: number;
}

/** Runs the step; a non-zero exit, a timeout or a dropped link is a `REMOTE_FAILED` error with the step's last lines of stderr. */
export async function runRemote(link: HostLink, step: RemoteStep): Promise<string> {
  let result;
  try {
    result = await link.exec('sh -s', { stdin: step.script, timeoutMs: step.timeoutMs });
  } catch (error) {
    if (isLinkError(error)) throw new BootstrapError('REMOTE_FAILED', `${step.what} on ${link.name} did not finish: ${error.message}`, { cause: error });
    throw error;
  }
  if (result.code !== 0) {
    const said = lastLines(result.stderr) || lastLines(result.stdout) || '(it printed nothing)';
    const how = result.code === null ? `killed by ${result.signal ?? 'a signal'}` : `exit ${result.code}`;
    throw new BootstrapError('REMOTE_FAILED', `${step.what} failed on ${link.name} (${how}):\n${indent(said)}`);
  }
  return result.stdout;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
