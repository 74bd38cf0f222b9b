import { describe, expect, it } from 'vitest';
import { isProtocolError, type FlotillaClient, type JobListQuery } from '@flotilla/protocol';
import { resolveJobId } from './resolve-id.js';

const IDS = ['01M890FP53K49R8ZFQMY2KW8VA', '01M890FP53Z00000000000000A', '01M891AAAAAAAAAAAAAAAAAAAA'];

/** listJobs over IDS, two per page, so that paging is exercised. */
function lister(ids = IDS): Pick<FlotillaClient, 'listJobs'> & { calls: JobListQuery[] } {
  const calls: JobListQuery[] = [];
  return {
    calls,
    listJobs: async (query = {}) => {
      calls.push(query);
      const start = Number(query.cursor ?? 0);
      const items = ids.slice(start, start + 2).map((id) => ({ id })) as never[];
      return { items, nextCursor: start + 2 < ids.length ? String(start + 2) : null };
    },
  };
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isProtocolError(error)) return { code: error.code, message: error.message, fix: error.fix };
    throw error;
  }
  throw new Error('expected a failure');
}

describe('resolveJobId', () => {
  it('should take a full id as it is, without listing', async () => {
    const client = lister();
    expect(await resolveJobId(client, IDS[0]!)).toBe(IDS[0]);
    expect(client.calls).toEqual([]);
  });

  it('should resolve a unique prefix in any case, across pages', async () => {
    expect(await resolveJobId(lister(), '01m891')).toBe(IDS[2]);
    expect(await resolveJobId(lister(), '01M890FP53K')).toBe(IDS[0]);
  });

  it('should say which jobs an ambiguous prefix matches', async () => {
    expect(await failure(resolveJobId(lister(), '01M890FP53'))).toMatchInlineSnapshot(`
      {
        "code": "BAD_REQUEST",
        "fix": "type more of the id",
        "message": ""01M890FP53" is the start of several job ids: 01M890FP53K49R8ZFQMY2KW8VA, 01M890FP53Z00000000000000A",
      }
    `);
  });

  it('should answer JOB_NOT_FOUND for an unknown prefix', async () => {
    expect(await failure(resolveJobId(lister(), 'ZZZ'))).toMatchObject({ code: 'JOB_NOT_FOUND', fix: 'list jobs with: cb ls --all' });
  });
});
