import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isProtocolError, type Session } from '@flotilla/protocol';
import type { SessionNotice } from '../deps.js';
import { createSessionManager, type SessionManager } from '../manager.js';
import { eventually, startScreenTracker, startSessionFixture, type SessionFixture } from '../test-support.js';
import { startWatcherTrackerWith, withWatchers } from './index.js';

let fixture: SessionFixture;
const managers: SessionManager[] = [];
let notices: { session: string; notice: SessionNotice }[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) m.close();
  await fixture?.[Symbol.asyncDispose]();
  notices = [];
});

/** A fixture whose trackers send watcher sessions to the real watcher tracker (with a shorter quiet time). */
function setUp(): SessionFixture {
  fixture = startSessionFixture();
  fixture.deps.startTracker = withWatchers(startScreenTracker, startWatcherTrackerWith({ quietMs: 500, minGapMs: 1_000 }));
  fixture.deps.notify = async (session, notice) => {
    notices.push({ session: session.name, notice });
  };
  return fixture;
}

function start(): SessionManager {
  const manager = createSessionManager(fixture.deps);
  managers.push(manager);
  return manager;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  return isProtocolError(error) ? `${error.code}: ${error.message}` : `not a protocol error: ${String(error)}`;
}

async function stateOf(manager: SessionManager, name: string, state: Session['state']): Promise<Session> {
  return eventually(async () => {
    const s = await manager.get(name);
    return s.state === state ? s : null;
  }, `${name} to be ${state}`);
}

async function alerts(manager: SessionManager, name: string): Promise<string[]> {
  return (await manager.log(name)).filter((e) => e.kind === 'alert').map((e) => e.message);
}

/** A script in the fixture's workdir, run with sh. */
function script(cwd: string, name: string, body: string): string[] {
  const path = join(cwd, name);
  writeFileSync(path, body);
  return ['/bin/sh', path];
}

describe('watcher sessions (real tmux, pane.log, the real watcher tracker)', () => {
  it('should raise exactly one alert with its context for a coloured FAIL, then go exited with the exit status', async () => {
    setUp();
    const manager = start();
    const cwd = fixture.workdir('tests');
    const command = script(cwd, 'run.sh', "i=1; while [ $i -le 12 ]; do if [ $i -eq 7 ]; then printf '\\033[1;31mFAIL\\033[0m test %s\\n' $i; else echo \"ok test $i\"; fi; i=$((i+1)); sleep 0.02; done; sleep 1.5; exit 3\n");
    const created = await manager.create({ name: 'tests', agent: 'claude', cwd, worktree: false, command, alerts: ['FAIL|Error'] });
    expect(created).toMatchObject({ kind: 'watcher', agent: 'command', model: null, command, alerts: ['FAIL|Error'] });
    await stateOf(manager, 'tests', 'working');
    const [alert] = await eventually(async () => ((await alerts(manager, 'tests')).length > 0 ? alerts(manager, 'tests') : null), 'the alert');
    expect(alert).toBe('/FAIL|Error/ matched: FAIL test 7');
    expect(notices).toEqual([
      {
        session: 'tests',
        notice: {
          kind: 'alert',
          level: 'warning',
          title: 'tests: /FAIL|Error/ matched',
          body: ['ok test 2', 'ok test 3', 'ok test 4', 'ok test 5', 'ok test 6', 'FAIL test 7', 'ok test 8', 'ok test 9', 'ok test 10', 'ok test 11', 'ok test 12'].join('\n'),
        },
      },
    ]);
    const ended = await stateOf(manager, 'tests', 'exited');
    expect(ended.source).toBe('process');
    const log = await manager.log('tests');
    expect(log[0]?.message).toMatch(/^created: watcher: \/bin\/sh .*run\.sh alerting on \/FAIL\|Error\/ in /);
    expect(log.map((e) => `${e.kind}: ${e.message}`)).toContain('state: working → exited (process) — exit status 3');
    expect(await alerts(manager, 'tests')).toHaveLength(1);
    const events = (await fixture.store.eventsAfter(0, 500)).filter((e) => e.type === 'session.log' && e.entry.kind === 'alert');
    expect(events).toHaveLength(1);
    // The pane stays after the command ended: its last screen can be read.
    expect((await manager.peek('tests', 50)).lines.join('\n')).toContain('ok test 12');
  });

  it('should group a burst of 300 matching lines into one alert naming how many matched', async () => {
    setUp();
    const manager = start();
    const cwd = fixture.workdir('burst');
    const command = ['/bin/sh', '-c', 'echo starting; i=1; while [ $i -le 300 ]; do echo "FAIL case $i"; i=$((i+1)); done; echo done; sleep 30'];
    await manager.create({ name: 'burst', agent: 'claude', cwd, worktree: false, command, alerts: ['FAIL'] });
    await eventually(async () => (await alerts(manager, 'burst')).length > 0, 'the alert');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await alerts(manager, 'burst')).toEqual(['/FAIL/ matched: FAIL case 1 (+299 more matching lines)']);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.notice.body.split('\n').at(-1)).toMatch(/^… 300 lines matched \/FAIL\/ within \d+ s; the first is shown with its context$/);
    await manager.stop('burst');
  });

  it('should refuse a bad regex, alert patterns without a command, and a command that is not there', async () => {
    setUp();
    const manager = start();
    const cwd = fixture.workdir('bad');
    expect(await codeOf(manager.create({ name: 'bad', agent: 'claude', cwd, worktree: false, command: ['tail', '-f', 'x'], alerts: ['FAIL|('] }))).toMatch(
      /^BAD_REQUEST: alert pattern "FAIL\|\(" is not a valid regular expression/,
    );
    expect(await codeOf(manager.create({ name: 'bad', agent: 'paster', cwd, worktree: false, alerts: ['FAIL'] }))).toBe('BAD_REQUEST: alert patterns are for watcher sessions, which run a command');
    expect(await codeOf(manager.create({ name: 'bad', agent: 'claude', cwd, worktree: false, command: ['no-such-program-here'], alerts: [] }))).toBe(
      `BAD_REQUEST: the command "no-such-program-here" is not on the daemon's PATH`,
    );
    expect(await manager.list({ all: true })).toEqual([]);
  });

  it('should take text and keys like any pane, refuse answer, and stop', async () => {
    setUp();
    const manager = start();
    const cwd = fixture.workdir('echo');
    const command = ['/bin/sh', '-c', 'while read line; do echo "got: $line"; done'];
    await manager.create({ name: 'echo', agent: 'claude', cwd, worktree: false, command, alerts: ['got: .*boom'] });
    await stateOf(manager, 'echo', 'working');
    expect(await manager.send('echo', { text: 'hello boom' })).toMatchObject({ delivered: true, confirmedBy: 'screen', attempts: 1 });
    await eventually(async () => (await alerts(manager, 'echo')).length > 0, 'the alert');
    expect(await alerts(manager, 'echo')).toEqual(['/got: .*boom/ matched: got: hello boom']);
    expect(await codeOf(manager.answer('echo', 'yes'))).toMatch(/^BAD_REQUEST: session echo is a watcher \(it runs a command, not an agent\)/);
    expect(await manager.send('echo', { key: 'C-c' })).toMatchObject({ delivered: true });
    await stateOf(manager, 'echo', 'exited');
    const log = (await manager.log('echo')).map((e) => e.message);
    expect(log.some((m) => /^sent 10 characters: confirmed by screen/.test(m))).toBe(true);
    expect(log.at(-1)).toMatch(/→ exited \(process\) — (killed by signal \d+|exit status 130)$/);
  });

  it('should neither repeat nor miss alerts across a manager restart, with output written while it was down', async () => {
    setUp();
    const cwd = fixture.workdir('restart');
    // A FAIL every 0.4 s, 20 in all: alerts are grouped, so their counts must add up to 20 exactly.
    const command = ['/bin/sh', '-c', 'i=1; while [ $i -le 20 ]; do echo "FAIL $i"; echo "ok $i"; i=$((i+1)); sleep 0.4; done; sleep 30'];
    const first = start();
    await first.create({ name: 'restart', agent: 'claude', cwd, worktree: false, command, alerts: ['FAIL'] });
    await eventually(async () => (await alerts(first, 'restart')).length > 0, 'a first alert');
    first.close();
    await new Promise((r) => setTimeout(r, 2_500));
    const second = start();
    expect((await second.recover()).reattached).toEqual(['restart']);
    const counted = async () => {
      const counts = (await alerts(second, 'restart')).map((m) => 1 + Number(/\(\+(\d+) more matching lines?\)$/.exec(m)?.[1] ?? 0));
      return counts.reduce((a, b) => a + b, 0);
    };
    await eventually(async () => (await counted()) >= 20, 'alerts covering all 20 FAIL lines', 20_000);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await counted()).toBe(20);
    const firstLines = (await alerts(second, 'restart')).map((m) => /matched: FAIL (\d+)/.exec(m)?.[1]);
    expect(new Set(firstLines).size).toBe(firstLines.length);
    await second.stop('restart');
  });

  it('should match what a watcher wrote before it exited while the manager was down', async () => {
    setUp();
    const cwd = fixture.workdir('late');
    const command = ['/bin/sh', '-c', 'sleep 1.5; echo "Error: deploy failed"; exit 2'];
    const first = start();
    await first.create({ name: 'late', agent: 'claude', cwd, worktree: false, command, alerts: ['Error'] });
    await stateOf(first, 'late', 'working');
    first.close();
    await eventually(async () => (await fixture.tmux.listSessions()).some((s) => s.paneDead), 'the command to end', 10_000);
    const second = start();
    expect((await second.recover()).exited).toEqual(['late']);
    await eventually(async () => (await alerts(second, 'late')).length > 0, 'the alert');
    expect(await alerts(second, 'late')).toEqual(['/Error/ matched: Error: deploy failed']);
    expect((await second.log('late')).some((e) => e.message.endsWith('it exited while the daemon was down (exit status 2)'))).toBe(true);
  });
});
