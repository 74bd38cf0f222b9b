import type { FlotillaClient, Job } from '@flotilla/protocol';
import { resolveJobId } from '../resolve-id.js';
import type { CliStreams } from '../streams.js';
import { printJob } from './show.js';

export interface ReadOptions {
  client: FlotillaClient;
  streams: CliStreams;
  id: string;
  json?: boolean;
  now?: () => number;
  env?: Readonly<Record<string, string | undefined>>;
}

/** `cb read ID`: marks the result read (it leaves the inbox) and shows it. */
export async function read(options: ReadOptions): Promise<Job> {
  const job = await options.client.markRead(await resolveJobId(options.client, options.id));
  printJob(job, options);
  return job;
}
