/**
 * Running bootstrap's scripts on a host: each goes to `sh -s` on stdin, so the user's login
 * shell (bash, zsh, fish) only ever sees `sh -s`, and nothing in the script needs quoting twice.
 * Every script sees the PATH the hub uses to find node and cb (REMOTE_PATH_PREFIX). A failure
 * that says the disk is full or the place is not writable is told in those words first.
 */
import { REMOTE_PATH_PREFIX } from '../hub/daemon-discovery.js';
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
    result = await link.exec('sh -s', { stdin: `${REMOTE_PATH_PREFIX}\n${step.script}`, timeoutMs: step.timeoutMs });
  } catch (error) {
    if (isLinkError(error)) throw new BootstrapError('REMOTE_FAILED', `${step.what} on ${link.name} did not finish: ${error.message}`, { cause: error });
    throw error;
  }
  if (result.code !== 0) {
    const said = lastLines(result.stderr) || lastLines(result.stdout) || '(it printed nothing)';
    const how = result.code === null ? `killed by ${result.signal ?? 'a signal'}` : `exit ${result.code}`;
    const cause = storageTrouble(`${result.stderr}\n${result.stdout}`);
    throw new BootstrapError('REMOTE_FAILED', `${step.what} failed on ${link.name} (${how})${cause === null ? '' : `: ${cause}`}:\n${indent(said)}`);
  }
  return result.stdout;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** What a failed step's output says about the disk, in words, or null. */
export function storageTrouble(output: string): string | null {
  if (/ENOSPC|No space left on device/i.test(output)) return 'the disk is full (no space left on device); free some space on the host and run it again';
  if (/EDQUOT|Disk quota exceeded/i.test(output)) return "the user's disk quota is exceeded; free some space on the host and run it again";
  if (/EROFS|Read-only file system/i.test(output)) return 'the file system is read-only there; ~/.flotilla must be writable';
  if (/EACCES|Permission denied/i.test(output)) return 'permission denied; the SSH user must be able to write to ~/.flotilla';
  return null;
}
