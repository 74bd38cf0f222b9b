import { afterEach, describe, expect, it } from 'vitest';
import { isProtocolError, type Session } from '@flotilla/protocol';
import { createSessionManager, type SessionManager } from './manager.js';
import { eventually, startSessionFixture, type SessionFixture } from './test-support.js';

let fixture: SessionFixture;
const managers: SessionManager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) m.close();
  await fixture?.[Symbol.asyncDispose]();
});

function start(): SessionManager {
  const manager = createSessionManager(fixture.deps);
  managers.push(manager);
  return manager;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  return isProtocolError(error) ? error.code : `not a protocol error: ${String(error)}`;
}

async function screenShows(manager: SessionManager, name: string, text: string): Promise<void> {
  await eventually(async () => (await manager.peek(name, 100)).lines.some((l) => l.includes(text)), `"${text}" on ${name}'s screen`);
}

async function stateOf(manager: SessionManager, name: string, state: Session['state']): Promise<Session> {
  return eventually(async () => {
    const s = await manager.get(name);
    return s.state === state ? s : null;
  }, `${name} to be ${state}`);
}

const TRICKY = 'line one\twith a tab\n$(whoami) `id` "quoted" \'single\'\nEnter C-c Escape are words here\n漢字 and ünïcödé';

describe('the session manager (real tmux, a custom agent)', () => {
  it('should create, track, peek, deliver bracketed text exactly once, and stop', async () => {
    fixture = startSessionFixture();
    const manager = start();
    const cwd = fixture.workdir('one');
    const created = await manager.create({ name: 'one', agent: 'paster', cwd, worktree: false, alerts: [] });
    expect(created).toMatchObject({ name: 'one', agent: 'paster', host: 'test', cwd, tmuxSession: expect.stringMatching(/^sess-one-[0-9a-z]{8}$/) });
    expect(created.pid).toBeGreaterThan(0);
    await stateOf(manager, 'one', 'idle');
    await screenShows(manager, 'one', 'paste-agent ready');
    const size = await fixture.tmux.run(['display-message', '-p', '-t', `=${created.tmuxSession}:`, '#{window_width}x#{window_height}']);
    expect(size.stdout.trim()).toBe('200x50');
    const option = await fixture.tmux.run(['show-options', '-w', '-v', '-t', `=${created.tmuxSession}:`, 'window-size']);
    expect(option.stdout.trim()).toBe('manual');

    const receipt = await manager.send('one', { text: TRICKY });
    expect(receipt).toMatchObject({ delivered: true, confirmedBy: 'screen', attempts: 1, error: null });
    expect(fixture.turns(cwd)).toEqual([{ text: TRICKY, pasted: true }]);

    const keyReceipt = await manager.send('one', { key: 'Escape' });
    expect(keyReceipt).toMatchObject({ delivered: true, attempts: 1 });
    await screenShows(manager, 'one', 'KEY:Escape');

    const stopped = await manager.stop('one');
    expect(stopped).toMatchObject({ state: 'exited', source: 'cb', pid: null, endedAt: expect.any(String) });
    expect(await fixture.tmux.hasSession(created.tmuxSession)).toBe(false);
    const log = (await manager.log('one')).map((e) => `${e.kind}: ${e.message}`);
    expect(log[0]).toMatch(/^lifecycle: created: paster in /);
    expect(log).toContain('state: unknown → idle (process)');
    expect(log.some((l) => /^send: sent \d+ characters: confirmed by screen/.test(l))).toBe(true);
    expect(log.at(-1)).toBe('state: idle → exited (cb) — stopped by cb session stop');
    const events = (await fixture.store.eventsAfter(0, 100)).map((e) => e.type);
    expect(events.filter((t) => t.startsWith('session.') && t !== 'session.log')).toEqual(['session.created', 'session.state', 'session.state', 'session.ended']);
    expect(await manager.list({})).toEqual([]);
    expect((await manager.list({ all: true })).map((s) => s.name)).toEqual(['one']);
  });

  it('should refuse a taken name, a missing cwd, an unknown agent, and unknown or exited sessions, with clear codes', async () => {
    fixture = startSessionFixture();
    const manager = start();
    const cwd = fixture.workdir('clash');
    await manager.create({ name: 'clash', agent: 'paster', cwd, worktree: false, alerts: [] });
    expect(await codeOf(manager.create({ name: 'clash', agent: 'paster', cwd, worktree: false, alerts: [] }))).toBe('SESSION_NAME_TAKEN');
    expect(await codeOf(manager.create({ name: 'x', agent: 'paster', cwd: `${cwd}/missing`, worktree: false, alerts: [] }))).toBe('CWD_NOT_FOUND');
    expect(await codeOf(manager.create({ name: 'x', agent: 'nope', cwd, worktree: false, alerts: [] }))).toBe('AGENT_UNKNOWN');
    expect(await codeOf(manager.create({ name: 'x', agent: 'paster', cwd, worktree: true, alerts: [] }))).toBe('NOT_A_GIT_REPO');
    expect(await codeOf(manager.send('ghost', { text: 'hi' }))).toBe('SESSION_NOT_FOUND');
    expect(await codeOf(manager.answer('clash', 'yes'))).toBe('SESSION_NOT_RUNNING');
    await manager.stop('clash');
    expect(await codeOf(manager.send('clash', { text: 'hi' }))).toBe('SESSION_NOT_RUNNING');
    expect((await manager.create({ name: 'clash', agent: 'paster', cwd, worktree: false, alerts: [] })).state).not.toBe('exited');
  });

  it('should answer a permission question with the agent keys and refuse text meanwhile', async () => {
    fixture = startSessionFixture();
    const manager = start();
    const session = await manager.create({ name: 'asker', agent: 'paster', cwd: fixture.workdir('asker'), worktree: false, alerts: [] });
    await stateOf(manager, 'asker', 'idle');
    fixture.signal(session.tmuxSession, { state: 'waiting_permission', waitingFor: 'Bash: rm -rf build' });
    const waiting = await stateOf(manager, 'asker', 'waiting_permission');
    expect(waiting).toMatchObject({ source: 'hook', waitingFor: 'Bash: rm -rf build' });
    expect(await codeOf(manager.send('asker', { text: 'hello' }))).toBe('CONFLICT');
    await manager.answer('asker', 'yes');
    await screenShows(manager, 'asker', 'KEY:y');
    const log = (await manager.log('asker')).map((e) => e.message);
    expect(log).toContain('idle → waiting_permission (hook): Bash: rm -rf build');
    expect(log).toContain('answered yes to: Bash: rm -rf build');
  });

  it('should notice an agent that quit by itself', async () => {
    fixture = startSessionFixture();
    const manager = start();
    await manager.create({ name: 'quitter', agent: 'paster', cwd: fixture.workdir('quitter'), worktree: false, alerts: [] });
    await screenShows(manager, 'quitter', 'paste-agent ready');
    await manager.send('quitter', { key: 'C-c' });
    const exited = await stateOf(manager, 'quitter', 'exited');
    expect(exited.source).toBe('process');
    expect((await manager.log('quitter')).at(-1)?.message).toBe('idle → exited (process) — exit status 0');
    expect((await manager.peek('quitter', 200)).lines).toContain('bye');
  });

  it('should keep a live session across a daemon restart and mark one whose tmux session died exited', async () => {
    fixture = startSessionFixture();
    fixture.deps.watchdog = { restart: false };
    const before = start();
    const keep = await before.create({ name: 'keep', agent: 'paster', cwd: fixture.workdir('keep'), worktree: false, alerts: [] });
    const lose = await before.create({ name: 'lose', agent: 'paster', cwd: fixture.workdir('lose'), worktree: false, alerts: [] });
    await stateOf(before, 'keep', 'idle');
    await stateOf(before, 'lose', 'idle');
    before.close();
    await fixture.tmux.killSession(lose.tmuxSession);

    const after = start();
    expect(await after.recover()).toEqual({ reattached: ['keep'], restarted: [], exited: ['lose'] });
    expect(await after.get('keep')).toMatchObject({ state: 'idle', pid: keep.pid });
    expect((await after.get('lose')).state).toBe('exited');
    expect((await after.log('lose')).at(-1)?.message).toBe('idle → exited (process) — its tmux session was gone after a daemon restart');
    expect(await after.send('keep', { text: 'still here' })).toMatchObject({ delivered: true });
    expect(fixture.turns(keep.cwd)).toEqual([{ text: 'still here', pasted: true }]);
  });
});
