import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tmux } from '@flotilla/kit/tmux';
import type { SessionAlert, StateChange, StateTracker } from '../contract.js';
import { eventually } from '../test-support.js';
import { WATCHER_CHECKPOINT_FILE } from './tracker.js';
import { startWatcherTrackerWith } from './index.js';

const dirs: string[] = [];
const trackers: StateTracker[] = [];
afterEach(() => {
  for (const t of trackers.splice(0)) t.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A watcher tracker on a pane.log written by the test (no tmux: the screen is never read here). */
function watch(dir: string, alerts: SessionAlert[], changes: StateChange[] = []): StateTracker {
  const tracker = startWatcherTrackerWith({ quietMs: 100, minGapMs: 0 })({
    sessionId: '01JZ8Q7W3MDDDDDDDDDDDDDDDD',
    agent: 'command',
    cwd: dir,
    dir,
    tmux: {} as Tmux,
    tmuxSession: 'sess-x',
    initial: null,
    kind: 'watcher',
    alerts: ['FAIL'],
    command: ['make'],
    onChange: (c) => changes.push(c),
    onAlert: (a) => alerts.push(a),
  });
  trackers.push(tracker);
  return tracker;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cb-watcher-'));
  dirs.push(dir);
  return dir;
}

describe('the watcher tracker on pane.log', () => {
  it('should be working at once, alert on a line appended later, and keep its checkpoint', async () => {
    const dir = tempDir();
    const log = join(dir, 'pane.log');
    const alerts: SessionAlert[] = [];
    const changes: StateChange[] = [];
    watch(dir, alerts, changes);
    await eventually(async () => changes.length > 0, 'the first state');
    expect(changes[0]).toMatchObject({ state: 'working', source: 'process' });
    writeFileSync(log, 'one\r\ntwo\r\n');
    appendFileSync(log, '\x1b[31mFAIL\x1b[0m three\r\nfour\r\n');
    await eventually(async () => alerts.length > 0, 'the alert');
    expect(alerts[0]).toMatchObject({ line: 'FAIL three', context: ['one', 'two', 'FAIL three', 'four'], count: 1 });
    const checkpoint = JSON.parse(readFileSync(join(dir, WATCHER_CHECKPOINT_FILE), 'utf8')) as { matchFrom: number };
    expect(checkpoint.matchFrom).toBe(Buffer.byteLength(readFileSync(log)));
  });

  it('should match the unread end of a rotated log before the new one', async () => {
    const dir = tempDir();
    const log = join(dir, 'pane.log');
    writeFileSync(log, 'filler line\r\n'.repeat(10_000));
    const alerts: SessionAlert[] = [];
    watch(dir, alerts);
    await new Promise((r) => setTimeout(r, 300));
    // The pipe rotates (at 16 MiB; here ~130 KB): what the follower had not read yet is only in pane.log.1 now.
    appendFileSync(log, 'FAIL before the rotation\r\n');
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, 'FAIL after it\r\n');
    await eventually(async () => alerts.length > 0, 'the alert');
    await new Promise((r) => setTimeout(r, 300));
    expect(alerts.map((a) => [a.line, a.count])).toEqual([['FAIL before the rotation (+1 more matching line)', 2]]);
  });

  it('should match a last line without a newline when it stops (the command ended)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'pane.log'), 'deploying\r\nFAIL: no route to host');
    const alerts: SessionAlert[] = [];
    const tracker = watch(dir, alerts);
    await new Promise((r) => setTimeout(r, 200));
    expect(alerts).toEqual([]);
    tracker.stop();
    expect(alerts.map((a) => a.line)).toEqual(['FAIL: no route to host']);
  });
});
