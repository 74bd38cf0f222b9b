import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '@flotilla/protocol';
import { isAlive } from '@flotilla/kit/process';
import type { SessionNotice } from '../deps.js';
import { createSessionManager, type SessionManager } from '../manager.js';
import { eventually, startSessionFixture, type SessionFixture } from '../test-support.js';
import type { WatchdogPolicy } from './policy.js';

let fixture: SessionFixture;
const managers: SessionManager[] = [];
const strays: number[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) m.close();
  for (const pid of strays.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  await fixture?.[Symbol.asyncDispose]();
});

interface Started {
  manager: SessionManager;
  notices: { session: string; notice: SessionNotice }[];
  session: Session;
  cwd: string;
}

const FAST: Partial<WatchdogPolicy> = { tickMs: 100, processSweepMs: 200, exitGraceMs: 500, stuckAfterMs: 0 };

async function startOne(name: string, policy: Partial<WatchdogPolicy> = {}): Promise<Started> {
  fixture = startSessionFixture();
  const notices: Started['notices'] = [];
  fixture.deps.watchdog = { ...FAST, ...policy };
  fixture.deps.notify = async (session, notice) => void notices.push({ session: session.name, notice });
  const manager = createSessionManager(fixture.deps);
  managers.push(manager);
  const cwd = fixture.workdir(name);
  const session = await manager.create({ name, agent: 'paster', cwd, worktree: false, alerts: [] });
  await stateOf(manager, name, (s) => s.state === 'idle');
  // `idle` can come from the process alone, before the agent has set its terminal up: a C-c then is
  // a SIGINT (a crash the watchdog restarts), not the agent's own clean quit. Wait for its banner.
  await eventually(async () => (await manager.peek(name, 20)).lines.includes('paste-agent ready'), `${name}: the agent ready`);
  return { manager, notices, session, cwd };
}

function stateOf(manager: SessionManager, name: string, ok: (s: Session) => boolean, what = 'the expected state'): Promise<Session> {
  return eventually(async () => {
    const s = await manager.get(name);
    return ok(s) ? s : null;
  }, `${name}: ${what}`, 15_000);
}

/** SIGKILLs a session's agent; a missing pid fails the test (`kill(0)` would kill the test runner's whole process group). */
function killAgent(pid: number | null): void {
  if (pid === null || pid <= 1) throw new Error(`no agent pid to kill: ${pid}`);
  process.kill(pid, 'SIGKILL');
}

async function logOf(manager: SessionManager, name: string, kind = 'watchdog'): Promise<string[]> {
  return (await manager.log(name)).filter((e) => e.kind === kind).map((e) => e.message);
}

describe('the session watchdog (real tmux, a custom agent)', () => {
  it('should restart a crashed agent in a fresh pane, log it, and announce it', async () => {
    const { manager, notices, session } = await startOne('crashy');
    killAgent(session.pid);
    const restarted = await stateOf(manager, 'crashy', (s) => s.restarts === 1 && s.pid !== null && s.pid !== session.pid, 'restarted');
    expect(restarted.state).not.toBe('exited');
    expect(restarted.tmuxSession).toBe(session.tmuxSession);
    expect(restarted.pid).not.toBeNull();
    expect(isAlive(restarted.pid!)).toBe(true);
    expect((await logOf(manager, 'crashy')).join('\n')).toMatch(/restarted the agent \(restart 1\), a new conversation \(none to resume\): killed by signal 9/);
    expect(notices.map((n) => n.notice.title)).toContain('crashy restarted');
    // The new pane works: a send is delivered.
    await expect(manager.send('crashy', { text: 'after the crash' })).resolves.toMatchObject({ delivered: true });
  });

  it('should leave a crash loop exited once the restart budget is spent', async () => {
    const { manager, session } = await startOne('loopy', { maxRestarts: 1 });
    killAgent(session.pid);
    const again = await stateOf(manager, 'loopy', (s) => s.restarts === 1 && s.pid !== null && s.pid !== session.pid, 'restarted once');
    killAgent(again.pid);
    await stateOf(manager, 'loopy', (s) => s.state === 'exited', 'exited');
    expect((await logOf(manager, 'loopy')).join('\n')).toMatch(/not restarting: crash loop: 1 restarts within 10 minutes/);
  });

  it('should not restart a clean exit or a stopped session', async () => {
    const { manager } = await startOne('clean');
    await manager.send('clean', { key: 'C-c' }); // the paste-agent quits with status 0
    const ended = await stateOf(manager, 'clean', (s) => s.state === 'exited', 'exited');
    expect(ended.restarts).toBe(0);
    const log = (await manager.log('clean')).map((e) => e.message).join('\n');
    expect(log).toMatch(/exit status 0/);

    const other = await manager.create({ name: 'stopped', agent: 'paster', cwd: fixture.workdir('stopped'), worktree: false, alerts: [] });
    await stateOf(manager, 'stopped', (s) => s.state === 'idle');
    await eventually(async () => (await manager.peek('stopped', 20)).lines.includes('paste-agent ready'), 'stopped: the agent ready');
    await manager.stop('stopped');
    await new Promise((r) => setTimeout(r, 600));
    expect(await manager.get('stopped')).toMatchObject({ id: other.id, state: 'exited', restarts: 0 });
  });

  it('should kill an agent that said it ended but never exited, then restart it', async () => {
    const { manager, session } = await startOne('lingering');
    fixture.signal(session.tmuxSession, { state: 'exited', source: 'hook' });
    const restarted = await stateOf(manager, 'lingering', (s) => s.restarts === 1, 'restarted');
    expect(session.pid).not.toBeNull();
    expect(isAlive(session.pid!)).toBe(false);
    expect(restarted.pid).not.toBe(session.pid);
    expect((await logOf(manager, 'lingering')).join('\n')).toMatch(/said it ended \(hook\) but had not exited after 0\.5s: killed its process tree/);
  });

  it('should announce needs-you at once when a working session waits, and a stuck one once', async () => {
    const { manager, notices, session } = await startOne('asker', { stuckAfterMs: 400 });
    fixture.signal(session.tmuxSession, { state: 'working' });
    fixture.signal(session.tmuxSession, { state: 'waiting_permission', waitingFor: 'Bash: rm -rf build' });
    const needs = await eventually(async () => notices.find((n) => n.notice.kind === 'needs_you'), 'a needs-you notice');
    expect(needs).toMatchObject({ session: 'asker', notice: { title: 'asker needs you', body: 'asker (paster) asks permission for Bash: rm -rf build', level: 'warning' } });
    const stuck = await eventually(async () => notices.find((n) => n.notice.title === 'asker is stuck'), 'a stuck notice');
    expect(stuck.notice.kind).toBe('stuck');
    expect(stuck.notice.body).toMatch(/waited for permission \(Bash: rm -rf build\) for \d+ min/);
    await new Promise((r) => setTimeout(r, 800));
    expect(notices.filter((n) => n.notice.title === 'asker is stuck')).toHaveLength(1);
    expect((await logOf(manager, 'asker')).filter((m) => m.startsWith('stuck'))).toHaveLength(1);
    // idle → waiting_input (not after working) is not a needs-you.
    expect(notices.filter((n) => n.notice.kind === 'needs_you')).toHaveLength(1);
  });

  it('should hold a session whose turn failed on a rate limit until the reset, then tell it to continue', async () => {
    const { manager, notices, session, cwd } = await startOne('limited', { rateLimitWaitMs: 700 });
    fixture.signal(session.tmuxSession, { state: 'working' });
    fixture.signal(session.tmuxSession, { state: 'waiting_input', error: 'rate_limit: API Error: Request rejected (429)' });
    const held = await stateOf(manager, 'limited', (s) => s.state === 'rate_limited', 'held');
    expect(held).toMatchObject({ source: 'watchdog', waitingFor: expect.any(String) });
    expect(notices.map((n) => n.notice.title)).toContain('limited rate-limited');
    await eventually(async () => fixture.turns(cwd).some((t) => t.text === 'continue'), 'the "continue" turn', 10_000);
    await eventually(async () => (await logOf(manager, 'limited')).some((m) => /rate limit reset .*: sent "continue" \(confirmed by screen\)/.test(m)), 'the resume log line');
    expect(fixture.turns(cwd).filter((t) => t.text === 'continue')).toHaveLength(1);
  });

  it('should kill processes left behind by a session that exited', async () => {
    const { manager, session } = await startOne('leaky');
    await manager.stop('leaky');
    const script = join(fixture.root, 'stray.sh');
    writeFileSync(script, 'exec sleep 300\n');
    const stray = spawn('/bin/sh', [script], { env: { ...process.env, FLOTILLA_SESSION_ID: session.id }, detached: true, stdio: 'ignore' });
    stray.unref();
    if (stray.pid === undefined) throw new Error('the stray did not start');
    strays.push(stray.pid);
    const line = `killed 1 orphaned process left after it exited (pid ${stray.pid})`;
    await eventually(async () => (await logOf(manager, 'leaky')).includes(line), 'the orphan log line', 10_000);
    expect(isAlive(stray.pid)).toBe(false);
  });
});
