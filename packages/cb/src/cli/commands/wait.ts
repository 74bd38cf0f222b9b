import type { FlotillaClient, Job } from '@flotilla/protocol';
import { ExitError } from '../errors.js';
import { summaryLine, waitForEnd } from '../follow.js';
import { resolveJobId } from '../resolve-id.js';
import { printJson, printLine, type CliStreams } from '../streams.js';

export interface WaitOptions {
  client: FlotillaClient;
  streams: CliStreams;
  id: string;
  timeoutMs?: number;
  json?: boolean;
  now?: () => number;
}

/** `cb wait ID`: blocks until the job ends (or the timeout); exits 0 only if it succeeded. */
export async function wait(options: WaitOptions): Promise<Job> {
  const job = await waitForEnd(options.client, await resolveJobId(options.client, options.id), options.timeoutMs);
  if (options.json) printJson(options.streams.stdout, job);
  else printLine(options.streams.stdout, summaryLine(job, (options.now ?? Date.now)()));
  if (job.status !== 'succeeded') throw new ExitError(1);
  return job;
}
