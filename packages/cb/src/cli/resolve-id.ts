import { ProtocolError, type FlotillaClient } from '@flotilla/protocol';
import { isFullJobId } from './job-args.js';

/** How many matches to collect before calling a prefix ambiguous. */
const MAX_MATCHES = 5;

/**
 * A full job id from a full id or a unique prefix of one (any case), by listing jobs.
 * @example await resolveJobId(client, '01jxyz4') // '01JXYZ4…' (26 characters)
 */
export async function resolveJobId(client: Pick<FlotillaClient, 'listJobs'>, ref: string): Promise<string> {
  const prefix = ref.trim().toUpperCase();
  if (isFullJobId(prefix)) return prefix;
  if (prefix === '') throw new ProtocolError('BAD_REQUEST', 'no job id given');
  const matches: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listJobs({ limit: 500, ...(cursor ? { cursor } : {}) });
    for (const job of page.items) if (job.id.startsWith(prefix)) matches.push(job.id);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && matches.length < MAX_MATCHES);
  if (matches.length === 1) return matches[0] as string;
  if (matches.length === 0) {
    throw new ProtocolError('JOB_NOT_FOUND', `no job has an id starting with "${ref}"`, { fix: 'list jobs with: cb ls --all' });
  }
  throw new ProtocolError('BAD_REQUEST', `"${ref}" is the start of several job ids: ${matches.join(', ')}`, {
    fix: 'type more of the id',
  });
}
