import type { FlotillaClient, Job } from '@flotilla/protocol';
import { resolveJobId } from '../resolve-id.js';
import { printJson, printLine, type CliStreams } from '../streams.js';

export interface CancelOptions {
  client: FlotillaClient;
  streams: CliStreams;
  id: string;
  json?: boolean;
}

/** `cb cancel ID`: stops the job and its whole process tree. */
export async function cancel(options: CancelOptions): Promise<Job> {
  const job = await options.client.cancelJob(await resolveJobId(options.client, options.id));
  if (options.json) printJson(options.streams.stdout, job);
  else printLine(options.streams.stdout, `${job.id} ${job.status}`);
  return job;
}
