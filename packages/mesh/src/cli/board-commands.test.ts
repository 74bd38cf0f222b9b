import { describe, expect, it } from 'vitest';
import { TaskSchema } from '@flotilla/protocol';
import { cliHub } from '../test-support/mesh-cli.test-support.js';

describe('mesh board', () => {
  it('should add, list grouped by status, claim with --json and finish with the looked-up token', async () => {
    await using hub = await cliHub();
    expect((await hub.run(['board', 'add', 'fix the login', '--tag', 'auth', '--priority', 'high', '--body', 'see #12'])).stdout).toBe('added AUTH-1: fix the login\n');
    await hub.run(['board', 'add', 'later', '--tag', 'auth', '--after', 'AUTH-1']);
    await hub.run(['board', 'add', 'maybe', '--proposed']);
    const claimed = await hub.run(['board', 'claim', '--tag', 'auth', '--json', '--lease', '10m']);
    expect(claimed.code).toBe(0);
    const task = TaskSchema.parse(JSON.parse(claimed.stdout));
    expect(task).toMatchObject({ key: 'AUTH-1', status: 'doing', token: 1, holder: { who: 'me', host: 'linux' } });
    expect(Date.parse(task.leaseExpiresAt!) - Date.now()).toBeGreaterThan(9 * 60_000);
    const ls = await hub.run(['board', 'ls']);
    expect(ls.stdout).toMatch(/^PROPOSED \(1\)\n {2}T-1 +maybe\n\nTODO \(1\)\n {2}AUTH-2 +later +waits for AUTH-1\n\nDOING \(1\)\n {2}AUTH-1 +fix the login +me@linux +(9m|10m) left\n$/);
    const done = await hub.run(['board', 'done', 'AUTH-1', '--note', 'merged']);
    expect(done).toMatchObject({ code: 0, stdout: 'AUTH-1 is done\n' });
    expect((await hub.run(['board', 'ls', '--status', 'done', '--json'])).stdout).toContain('"key": "AUTH-1"');
    // Its prerequisite done, AUTH-2 waits for nothing; named in lower case, it is still found.
    expect((await hub.run(['board', 'ls', '--status', 'todo'])).stdout).toMatch(/^TODO \(1\)\n {2}AUTH-2 +later\n$/);
    expect((await hub.run(['board', 'show', 'auth-2'])).stdout).toContain('AUTH-2  later');
  });

  it('should exit 3 when nothing is claimable, with --json and without', async () => {
    await using hub = await cliHub();
    const json = await hub.run(['board', 'claim', '--json']);
    expect(json).toMatchObject({ code: 3, stdout: '' });
    expect(json.stderr).toBe('nothing to claim: no todo task is free for me\n');
    await hub.run(['board', 'add', 'ui only', '--tag', 'ui']);
    expect((await hub.run(['board', 'claim', '--tag', 'api'])).code).toBe(3);
  });

  it('should claim tasks for its roles, and refuse to finish a task held by someone else without --token', async () => {
    await using hub = await cliHub();
    await hub.run(['profile', 'rev-1', '--role', 'reviewer']);
    await hub.run(['board', 'add', 'review AUTH', '--for', 'reviewer']);
    expect((await hub.run(['board', 'claim'])).code).toBe(3);
    const claimed = await hub.run(['board', 'claim', '--as', 'rev-1']);
    expect(claimed.stdout).toMatch(/^claimed T-1 \(token 1, lease until .*\): review AUTH\n {2}finish with: mesh board done T-1 --token 1 --note "what you did"\n$/);
    const refused = await hub.run(['board', 'fail', 'T-1', '--note', 'nope']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('mesh: task T-1 is held by rev-1@linux, not by me@linux\n  fix: pass the fencing token from the claim (--token N), or --as NAME if you claimed it under another name\n');
    const handoff = await hub.run(['board', 'handoff', 'T-1', '--to', 'api-1', '--note', 'fix the nits', '--branch', 'flotilla/auth', '--as', 'rev-1']);
    expect(handoff).toMatchObject({ code: 0, stdout: 'handed T-1 to api-1 (branch flotilla/auth)\n' });
    const show = await hub.run(['board', 'show', 'T-1']);
    expect(show.stdout).toContain('handed_off by rev-1 to api-1 (branch flotilla/auth): fix the nits');
  });

  it('should refuse a stale token in words with exit 1, and usage errors with exit 2', async () => {
    await using hub = await cliHub();
    await hub.run(['board', 'add', 'one']);
    await hub.run(['board', 'claim']);
    await hub.run(['board', 'renew', 'T-1', '--token', '1', '--lease', '1h']);
    const stale = await hub.run(['board', 'done', 'T-1', '--token', '0', '--note', 'late']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^mesh: task T-1 is at fencing token 1, the write carried 0: .*\n {2}fix: stop working on this task/);
    expect((await hub.run(['board', 'show', 'NOPE-9'])).stderr).toMatch(/^mesh: no task NOPE-9 on the board\n/);
    expect((await hub.run(['board', 'claim', '--lease', 'soon'])).code).toBe(2);
    expect((await hub.run(['board', 'add', 'x', '--priority', 'urgent'])).code).toBe(2);
    expect((await hub.run(['board', 'ls', '--status', 'open'])).code).toBe(2);
    expect((await hub.run(['board', 'done', 'T-1'])).code).toBe(2);
  });

  it('should claim and finish as the session it runs in, and renew with the token', async () => {
    await using hub = await cliHub();
    await hub.run(['board', 'add', 'inside a session']);
    const env = { FLOTILLA_SESSION_NAME: 'api-1', FLOTILLA_SESSION_ID: 'S1', FLOTILLA_JOB_ID: 'J1' };
    const task = TaskSchema.parse(JSON.parse((await hub.run(['board', 'claim', '--json', '--lease', '1m'], env)).stdout));
    expect(task.holder).toEqual({ who: 'api-1', host: 'linux', jobId: 'J1', sessionId: 'S1' });
    const renewed = TaskSchema.parse(JSON.parse((await hub.run(['board', 'renew', 'T-1', '--token', '1', '--lease', '2h', '--json'])).stdout));
    expect(Date.parse(renewed.leaseExpiresAt!) - Date.now()).toBeGreaterThan(119 * 60_000);
    expect((await hub.run(['board', 'done', 'T-1', '--note', 'shipped'], env)).stdout).toBe('T-1 is done\n');
  });

  it('should claim a named task, and exit 3 with the reason when it is not claimable', async () => {
    await using hub = await cliHub();
    await hub.run(['board', 'add', 'best', '--priority', 'high']);
    await hub.run(['board', 'add', 'wanted', '--tag', 'api']);
    await hub.run(['board', 'add', 'later', '--after', 'API-1']);
    const claimed = await hub.run(['board', 'claim', 'api-1', '--json']);
    expect(claimed.code).toBe(0);
    expect(TaskSchema.parse(JSON.parse(claimed.stdout))).toMatchObject({ key: 'API-1', status: 'doing', token: 1, holder: { who: 'me', host: 'linux' } });
    const held = await hub.run(['board', 'claim', 'API-1', '--json', '--as', 'other']);
    expect(held).toMatchObject({ code: 3, stdout: '' });
    expect(held.stderr).toMatch(/^not claimed: task API-1 cannot be claimed: me@linux holds it \(lease until .+\)\n$/);
    expect((await hub.run(['board', 'claim', 'T-2'])).stderr).toBe('not claimed: task T-2 cannot be claimed: it waits for API-1 (doing)\n');
    expect((await hub.run(['board', 'claim', 'T-9'])).code).toBe(1);
    expect((await hub.run(['board', 'claim', 'T-1', '--tag', 'api'])).code).toBe(2);
    expect((await hub.client.getTask('T-1')).status).toBe('todo');
  });

  it('should approve a proposed task', async () => {
    await using hub = await cliHub();
    await hub.run(['board', 'add', 'idea', '--proposed']);
    expect((await hub.run(['board', 'approve', 'T-1'])).stdout).toBe('approved T-1: it is todo now\n');
    expect((await hub.client.getTask('T-1')).status).toBe('todo');
  });

  it('should send a held task to review, then take changes back to its author and approve the second review', async () => {
    await using hub = await cliHub();
    await hub.run(['board', 'add', 'login page', '--tag', 'ui']);
    await hub.run(['board', 'claim', '--as', 'api-1']);
    const review = await hub.run(['board', 'review', 'UI-1', '--note', 'ready: see the branch', '--to', 'reviewer', '--branch', 'flotilla/login', '--as', 'api-1']);
    expect(review).toMatchObject({ code: 0, stdout: 'UI-1 is in review for reviewer (token 2)\n  decide with: mesh board approve UI-1   or   mesh board changes UI-1 --note "what to change"\n' });
    expect((await hub.run(['board', 'ls', '--status', 'review'])).stdout).toMatch(/^REVIEW \(1\)\n {2}UI-1 +login page/);
    // The lease is gone with the review: the author's done is refused.
    expect((await hub.run(['board', 'done', 'UI-1', '--note', 'sneak', '--as', 'api-1'])).code).toBe(2);
    const changes = await hub.run(['board', 'changes', 'UI-1', '--note', 'add a test']);
    expect(changes).toMatchObject({ code: 0, stdout: 'UI-1 is todo again for api-1: add a test\n' });
    expect((await hub.run(['board', 'claim'])).code).toBe(3);
    await hub.run(['board', 'claim', '--as', 'api-1']);
    await hub.run(['board', 'review', 'UI-1', '--note', 'test added', '--as', 'api-1']);
    expect((await hub.run(['board', 'approve', 'UI-1', '--token', '2'])).code).toBe(1);
    const approved = await hub.run(['board', 'approve', 'UI-1', '--note', 'lgtm', '--json']);
    expect(TaskSchema.parse(JSON.parse(approved.stdout))).toMatchObject({ key: 'UI-1', status: 'done' });
    const show = await hub.run(['board', 'show', 'UI-1']);
    expect(show.stdout).toContain('review_requested by api-1@linux to reviewer (branch flotilla/login): ready: see the branch');
    expect(show.stdout).toContain('changes_requested by user to api-1: add a test');
    expect(show.stdout).toContain('review_approved by user: lgtm');
  });
});
