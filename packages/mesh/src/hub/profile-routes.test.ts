import { describe, expect, it } from 'vitest';
import { createMeshClient, isProtocolError } from '@flotilla/protocol';
import { createSqliteBoardStore } from '../board/sqlite-board-store.js';
import { callerFromTestHeader, serveRoutes, tempHubDb } from '../test-support/hub-routes.test-support.js';
import { autoClaimOnIdle } from './auto-claim.js';
import type { HubEventInput } from './hub-events.js';
import { profileRoutes } from './profile-routes.js';
import { createSqliteProfileStore } from './profile-store.js';

describe('profileRoutes', () => {
  it('should declare roles, tags and auto, keep what a later declaration leaves out, and list profiles', async () => {
    using db = tempHubDb();
    const store = createSqliteProfileStore({ path: db.path });
    await using served = await serveRoutes((app) =>
      app.route('/api/profiles', profileRoutes({ store, caller: callerFromTestHeader, sessionHost: async (name) => (name === 'api-1' ? 'linux' : null) })),
    );
    const user = createMeshClient(served.transport());
    expect(await user.declareProfile('api-1', { roles: ['reviewer'], tags: ['backend', 'backend'] })).toMatchObject({ session: 'api-1', host: 'linux', roles: ['reviewer'], tags: ['backend'], auto: false });
    expect(await user.declareProfile('api-1', { auto: true })).toMatchObject({ roles: ['reviewer'], tags: ['backend'], auto: true });
    const agent = createMeshClient(served.transport({ kind: 'agent', host: 'mac', session: 'ios-1' }));
    expect(await agent.declareProfile('ios-1', { roles: ['mobile'] })).toMatchObject({ host: 'mac', roles: ['mobile'] });
    const refused = await agent.declareProfile('api-1', { auto: false }).catch((e: unknown) => e);
    expect(isProtocolError(refused) && refused.code).toBe('FORBIDDEN');
    expect((await user.listProfiles()).map((p) => p.session)).toEqual(['api-1', 'ios-1']);
    const invalid = await user.declareProfile('no such name', {}).catch((e: unknown) => e);
    expect(isProtocolError(invalid) && invalid.code).toBe('VALIDATION_FAILED');
    await store.close();
  });
});

describe('autoClaimOnIdle', () => {
  async function fixture() {
    const db = tempHubDb();
    const board = createSqliteBoardStore({ path: db.path });
    const profiles = createSqliteProfileStore({ path: db.path });
    const received: Array<{ host: string; session: string; text: string }> = [];
    const events: HubEventInput[] = [];
    let reachable = true;
    const deliver = async (host: string, session: string, text: string) => {
      if (!reachable) throw new Error('host unreachable');
      received.push({ host, session, text });
    };
    const onIdle = autoClaimOnIdle({ board, profiles, deliver, publish: async (e) => void events.push(e), leaseMs: 60_000 });
    return {
      board,
      profiles,
      received,
      events,
      onIdle,
      unreachable: () => (reachable = false),
      [Symbol.asyncDispose]: async () => {
        await board.close();
        await profiles.close();
        db[Symbol.dispose]();
      },
    };
  }

  it('should claim a task matching the profile and tell the session how to finish it', async () => {
    await using f = await fixture();
    await f.board.add({ title: 'style the login page', tags: ['ui'] });
    await f.board.add({ title: 'for someone else', tags: ['api'], for: 'ops' });
    const wanted = await f.board.add({ title: 'fix the token refresh', tags: ['api'], body: 'see the failing test', for: 'reviewer' });
    await f.profiles.declare('api-1', 'linux', { roles: ['reviewer'], tags: ['api'], auto: true });
    const task = await f.onIdle('api-1', 'linux', 'S1');
    expect(task).toMatchObject({ id: wanted.id, status: 'doing', holder: { who: 'api-1', host: 'linux', sessionId: 'S1' } });
    expect(f.received).toHaveLength(1);
    expect(f.received[0]?.text).toContain(`cb board done ${wanted.key} --token ${task!.token} --note`);
    expect(f.received[0]?.text).toContain('see the failing test');
    expect(f.events).toEqual([{ type: 'task.changed', task }]);
    expect(await f.onIdle('api-1', 'linux')).toBeNull();
  });

  it('should not claim for a session without auto, nor when nothing matches', async () => {
    await using f = await fixture();
    await f.board.add({ title: 'ui work', tags: ['ui'] });
    await f.profiles.declare('manual', 'linux', { tags: ['ui'] });
    await f.profiles.declare('api-1', 'linux', { tags: ['api'], auto: true });
    expect(await f.onIdle('manual', 'linux')).toBeNull();
    expect(await f.onIdle('api-1', 'linux')).toBeNull();
    expect(await f.onIdle('unknown', 'linux')).toBeNull();
    expect(await f.board.list({ status: ['todo'] })).toHaveLength(1);
  });

  it('should give the lease back when the session cannot be told', async () => {
    await using f = await fixture();
    const added = await f.board.add({ title: 'ui work', tags: ['ui'] });
    await f.profiles.declare('ui-1', 'mac', { tags: ['ui'], auto: true });
    f.unreachable();
    expect(await f.onIdle('ui-1', 'mac')).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const [returned] = await f.board.expireLeases(new Date(), { countsAsAttempt: () => false });
    expect(returned).toMatchObject({ id: added.id, status: 'todo', attempts: 0 });
  });
});
