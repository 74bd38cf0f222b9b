import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../../test-support/fake-github.js';
import { isHttpApiError } from '../http-errors.js';
import { createGitHubApi, type GitHubApi } from './github-api.js';
import { createGitHubIssuesSource } from './github-source.js';

const CONFIG = { repos: ['acme/tickets'], label: 'agent', inProgressLabel: 'flotilla:in-progress', inReviewLabel: 'flotilla:in-review' };

describe('GitHub Issues source and pull requests', () => {
  let fake: FakeGitHub;
  let api: GitHubApi;
  beforeEach(async () => {
    fake = await startFakeGitHub({ token: 'ghp_test' });
    fake.addRepo('acme/tickets');
    fake.addRepo('acme/api');
    api = createGitHubApi({ apiUrl: fake.url, token: 'ghp_test' });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('should list labelled open issues with their comments, skipping pull requests and tickets in review', async () => {
    fake.addIssue('acme/tickets', { title: '[api] rate limiter', body: 'limit to 10/s', labels: ['agent'], comments: ['please also log it'] });
    fake.addIssue('acme/tickets', { title: 'not for agents', labels: [] });
    fake.addIssue('acme/tickets', { title: 'already reviewed', labels: ['agent', 'flotilla:in-review'] });
    await api.createPull('acme/tickets', { title: 'a PR', head: 'x', base: 'main', body: '' });
    const source = createGitHubIssuesSource(api, CONFIG);
    const tickets = await source.listEligible();
    expect(tickets).toEqual([
      {
        source: 'github',
        id: 'acme/tickets#1',
        ref: 'acme/tickets#1',
        title: '[api] rate limiter',
        body: 'limit to 10/s',
        labels: ['agent'],
        comments: [{ author: 'human', body: 'please also log it', at: expect.any(String) }],
        url: 'https://github.test/acme/tickets/issues/1',
        inProgress: false,
      },
    ]);
  });

  it('should move a ticket through in progress and in review with the link', async () => {
    const issue = fake.addIssue('acme/tickets', { title: 'fix', labels: ['agent'] });
    const source = createGitHubIssuesSource(api, CONFIG);
    const [ticket] = await source.listEligible();
    await source.setStatus(ticket!, { status: 'in_progress' });
    expect(fake.issue('acme/tickets', issue.number).labels).toEqual(['agent', 'flotilla:in-progress']);
    expect((await source.listEligible())[0]?.inProgress).toBe(true);
    await source.setStatus(ticket!, { status: 'in_review', link: 'https://github.test/acme/api/pull/3', branch: 'flotilla/t/github-acme-tickets-1', note: 'one commit' });
    expect(fake.issue('acme/tickets', issue.number).labels).toEqual(['agent', 'flotilla:in-review']);
    expect(fake.issue('acme/tickets', issue.number).comments.at(-1)?.body).toBe('Ready for review: https://github.test/acme/api/pull/3\n\none commit');
    expect(await source.listEligible()).toEqual([]);
  });

  it('should find pull requests by head branch and refuse a second one for the same head', async () => {
    const created = await api.createPull('acme/api', { title: 'T-1', head: 'flotilla/t/board-T-1', base: 'main', body: '' });
    expect(await api.listPullsByHead('acme/api', 'flotilla/t/board-T-1')).toMatchObject([{ number: created.number, head: { ref: 'flotilla/t/board-T-1' } }]);
    expect(await api.listPullsByHead('acme/api', 'flotilla/t/board-T-2')).toEqual([]);
    const again = await api.createPull('acme/api', { title: 'T-1', head: 'flotilla/t/board-T-1', base: 'main', body: '' }).catch((e: unknown) => e);
    expect(isHttpApiError(again, 'PR_EXISTS')).toBe(true);
    expect((again as Error).message).toBe(
      'GitHub POST /repos/acme/api/pulls answered 422: Validation Failed — A pull request already exists for acme:flotilla/t/board-T-1.',
    );
  });

  it('should classify bad credentials and both kinds of rate limit', async () => {
    const bad = createGitHubApi({ apiUrl: fake.url, token: 'wrong' });
    expect(await bad.listOpenIssues('acme/tickets').catch((e: unknown) => e)).toMatchObject({ code: 'AUTH_FAILED', status: 401 });
    fake.rateLimitNext(1, 403);
    const primary = await api.listOpenIssues('acme/tickets').catch((e: unknown) => e);
    expect(primary).toMatchObject({ code: 'RATE_LIMITED', status: 403 });
    expect(Date.parse((primary as { resetsAt: string }).resetsAt)).toBeGreaterThan(Date.now());
    fake.rateLimitNext(1, 429);
    expect(await api.listOpenIssues('acme/tickets').catch((e: unknown) => e)).toMatchObject({ code: 'RATE_LIMITED', status: 429, resetsAt: expect.any(String) });
    expect(await api.listOpenIssues('acme/tickets')).toEqual([]);
  });

  it('should follow Link pagination', async () => {
    for (let n = 0; n < 105; n += 1) fake.addIssue('acme/tickets', { title: `t${n}`, labels: ['agent'] });
    expect((await api.listOpenIssues('acme/tickets', 'agent')).length).toBe(105);
    expect(fake.requests.filter((r) => r.startsWith('GET /repos/acme/tickets/issues'))).toHaveLength(2);
  });
});
