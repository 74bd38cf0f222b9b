import type { CreateJobRequest, FlotillaClient, Job } from '@flotilla/protocol';
import { ExitError } from '../errors.js';
import { followTranscript, ringBell, summaryLine, waitForEnd } from '../follow.js';
import { isFullJobId } from '../job-args.js';
import { printCreated } from '../fast-path.js';
import { resolveJobId } from '../resolve-id.js';
import { printJson, printLine, type CliStreams } from '../streams.js';

export interface AfterCreateOptions {
  client: FlotillaClient;
  streams: CliStreams;
  json?: boolean;
  /** Block until the job ends; exit 0 only if it succeeded. */
  wait?: boolean;
  /** Stream the transcript until the job ends, then ring the bell. */
  follow?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  now?: () => number;
}

export interface RunOptions extends AfterCreateOptions {
  request: CreateJobRequest;
}

/**
 * `cb "prompt"` with the typed client: creates the job (resolving an `--in-job` prefix), then
 * prints it, waits for it or follows it. Returns the job as last seen.
 */
export async function run(options: RunOptions): Promise<Job> {
  const request = { ...options.request };
  if (request.inJob !== undefined && !isFullJobId(request.inJob)) request.inJob = await resolveJobId(options.client, request.inJob);
  const job = await options.client.createJob(request);
  return afterCreate(job, options);
}

/** What `cb "…"`, `cb retry` and `cb resume` do with the job they got back. */
export async function afterCreate(job: Job, options: AfterCreateOptions): Promise<Job> {
  const { client, streams, json } = options;
  const now = options.now ?? Date.now;
  if (!options.wait && !options.follow) {
    printCreated(job, streams, json);
    return job;
  }
  let final: Job;
  if (options.follow) {
    printLine(streams.stderr, `job ${job.id}`);
    final = json ? await waitForEnd(client, job.id) : await followTranscript(client, job.id, streams.stdout, { env: options.env });
    ringBell(streams, json);
  } else {
    if (!json) printLine(streams.stdout, job.id);
    final = await waitForEnd(client, job.id);
  }
  if (json) printJson(streams.stdout, final);
  else printLine(streams.stderr, summaryLine(final, now()));
  if (final.status !== 'succeeded') throw new ExitError(1);
  return final;
}
