import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeLinear, type FakeLinear } from '../../test-support/fake-linear.js';
import { createLinearApi } from './linear-api.js';
import { createLinearSource } from './linear-source.js';

const CONFIG = { team: 'ENG', states: ['Agent Queue'], inProgressState: 'In Progress', inReviewState: 'In Review', tokenEnv: 'LINEAR_API_KEY', apiUrl: '' };

describe('Linear source', () => {
  let fake: FakeLinear;
  beforeEach(async () => {
    fake = await startFakeLinear({ token: 'lin_api_test' });
    fake.addTeam('ENG', ['Backlog', 'Agent Queue', 'In Progress', 'In Review', 'Done']);
    fake.addTeam('OPS', ['Agent Queue']);
  });
  afterEach(async () => {
    await fake.close();
  });

  it('should list the team’s queued issues with labels and comments', async () => {
    fake.addIssue('ENG', { title: '[api] add pagination', description: 'cursor based', state: 'Agent Queue', labels: ['backend'], comments: ['use opaque cursors'] });
    fake.addIssue('ENG', { title: 'someday', state: 'Backlog' });
    fake.addIssue('OPS', { title: 'other team', state: 'Agent Queue' });
    const source = createLinearSource(createLinearApi({ apiUrl: fake.url, token: 'lin_api_test' }), CONFIG);
    expect(await source.listEligible()).toEqual([
      {
        source: 'linear',
        id: 'ENG-1',
        ref: expect.any(String),
        title: '[api] add pagination',
        body: 'cursor based',
        labels: ['backend'],
        comments: [{ author: 'Human', body: 'use opaque cursors', at: expect.any(String) }],
        url: 'https://linear.test/issue/ENG-1',
        inProgress: false,
      },
    ]);
  });

  it('should page through more than one page of issues', async () => {
    for (let n = 0; n < 60; n += 1) fake.addIssue('ENG', { title: `t${n}`, state: 'Agent Queue' });
    const source = createLinearSource(createLinearApi({ apiUrl: fake.url, token: 'lin_api_test' }), CONFIG);
    expect((await source.listEligible()).length).toBe(60);
    expect(fake.operations.filter((o) => o === 'DirectorIssues')).toHaveLength(2);
  });

  it('should move an issue to In Progress, then In Review with a comment holding the link', async () => {
    fake.addIssue('ENG', { title: 'fix', state: 'Agent Queue' });
    const source = createLinearSource(createLinearApi({ apiUrl: fake.url, token: 'lin_api_test' }), CONFIG);
    const [ticket] = await source.listEligible();
    await source.setStatus(ticket!, { status: 'in_progress' });
    expect(fake.issue('ENG-1').stateName).toBe('In Progress');
    expect((await source.listEligible())[0]?.inProgress).toBe(true);
    await source.setStatus(ticket!, { status: 'in_review', link: 'https://github.test/acme/api/pull/4', branch: 'flotilla/t/linear-ENG-1', note: '' });
    expect(fake.issue('ENG-1')).toMatchObject({ stateName: 'In Review', comments: [{ body: 'Ready for review: https://github.test/acme/api/pull/4' }] });
    expect(fake.operations.filter((o) => o === 'DirectorStates')).toHaveLength(1);
  });

  it('should classify a wrong key and a rate limit, with the reset time', async () => {
    const wrong = createLinearSource(createLinearApi({ apiUrl: fake.url, token: 'nope' }), CONFIG);
    expect(await wrong.listEligible().catch((e: unknown) => e)).toMatchObject({ code: 'AUTH_FAILED', status: 401 });
    fake.rateLimitNext(1);
    const source = createLinearSource(createLinearApi({ apiUrl: fake.url, token: 'lin_api_test' }), CONFIG);
    const limited = await source.listEligible().catch((e: unknown) => e);
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', status: 400, message: 'Linear answered 400: Rate limit exceeded' });
    expect(Date.parse((limited as { resetsAt: string }).resetsAt)).toBeGreaterThan(Date.now());
  });

  it('should name the missing workflow state', async () => {
    fake.addIssue('OPS', { title: 'x', state: 'Agent Queue' });
    const source = createLinearSource(createLinearApi({ apiUrl: fake.url, token: 'lin_api_test' }), { ...CONFIG, team: 'OPS' });
    const [ticket] = await source.listEligible();
    await expect(source.setStatus(ticket!, { status: 'in_progress' })).rejects.toThrow('Linear team OPS has no workflow state "In Progress" (it has Agent Queue)');
  });
});
