import type { FlotillaClient, Job } from '@flotilla/protocol';
import { styleFor } from '../format/ansi.js';
import { formatJobDetail } from '../format/job.js';
import { resolveJobId } from '../resolve-id.js';
import { printJson, printLine, type CliStreams } from '../streams.js';

export interface ShowOptions {
  client: FlotillaClient;
  streams: CliStreams;
  id: string;
  json?: boolean;
  now?: () => number;
  env?: Readonly<Record<string, string | undefined>>;
}

/** `cb show ID`: status, failure in words, attempts, tokens, cost, duration, session, branch, files, result. */
export async function show(options: ShowOptions): Promise<Job> {
  const job = await options.client.getJob(await resolveJobId(options.client, options.id));
  printJob(job, options);
  return job;
}

export function printJob(job: Job, options: Omit<ShowOptions, 'client' | 'id'>): void {
  const { stdout } = options.streams;
  if (options.json) printJson(stdout, job);
  else printLine(stdout, formatJobDetail(job, { now: (options.now ?? Date.now)(), style: styleFor(stdout, options.env) }));
}
