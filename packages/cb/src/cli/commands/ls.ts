import { JOB_STATUSES, type FlotillaClient, type Job, type JobStatus } from '@flotilla/protocol';
import { UsageError } from '../errors.js';
import { styleFor } from '../format/ansi.js';
import { formatJobTable } from '../format/job.js';
import { printJson, printLine, widthOf, type CliStreams } from '../streams.js';

/** Without --all or --limit: the most recent jobs, enough for a screen. */
const DEFAULT_LIMIT = 50;
const PAGE = 500;

export interface LsOptions {
  client: FlotillaClient;
  streams: CliStreams;
  json?: boolean;
  /** Comma-separated statuses. */
  status?: string;
  /** Every job, however many. */
  all?: boolean;
  limit?: number;
  now?: () => number;
  env?: Readonly<Record<string, string | undefined>>;
}

/** `cb ls`: jobs as a table (newest first, as the daemon lists them), or `Job[]` as JSON. */
export async function ls(options: LsOptions): Promise<Job[]> {
  const status = parseStatuses(options.status);
  const filter = status ? { status } : {};
  const jobs: Job[] = [];
  let more = false;
  if (options.all) {
    let cursor: string | undefined;
    do {
      const page = await options.client.listJobs({ ...filter, limit: PAGE, ...(cursor ? { cursor } : {}) });
      jobs.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  } else {
    const page = await options.client.listJobs({ ...filter, limit: options.limit ?? DEFAULT_LIMIT });
    jobs.push(...page.items);
    more = page.nextCursor !== null;
  }
  const { stdout, stderr } = options.streams;
  if (options.json) {
    printJson(stdout, jobs);
    return jobs;
  }
  if (jobs.length === 0) {
    printLine(stderr, status ? `no ${status.join(' or ')} jobs` : 'no jobs yet: start one with cb "what to do"');
    return jobs;
  }
  const now = (options.now ?? Date.now)();
  printLine(stdout, formatJobTable(jobs, { now, width: widthOf(stdout), style: styleFor(stdout, options.env) }));
  if (more) printLine(stderr, `(the ${jobs.length} most recent; cb ls --all for every job)`);
  return jobs;
}

function parseStatuses(text: string | undefined): JobStatus[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of list) {
    if (!(JOB_STATUSES as readonly string[]).includes(s)) {
      throw new UsageError(`--status: "${s}" is not a job status`, `use one or more of ${JOB_STATUSES.join(', ')} (comma-separated)`);
    }
  }
  return list.length > 0 ? (list as JobStatus[]) : undefined;
}
