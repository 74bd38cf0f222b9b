import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTmux } from '@flotilla/kit/tmux';
import { createSessionManager } from '../manager.js';
import { eventually, startSessionFixture, type SessionFixture } from '../test-support.js';
import { ensurePaneLog, paneLogPath, reassertPaneLog, startPaneLog } from './pane-log.js';

const tmux = createTmux({ socketName: `cb-pane-log-${process.pid}-${randomBytes(4).toString('hex')}` });
const root = mkdtempSync(join(tmpdir(), 'cb-pane-log-'));

afterAll(async () => {
  await tmux.killServer();
  rmSync(root, { recursive: true, force: true });
});

async function waitFor(probe: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const read = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

describe('pane log', () => {
  it('should append the pane output to a private pane.log, and re-pipe only a pane that stopped piping', async () => {
    const dir = join(root, 'sess-a');
    await tmux.newSession({ name: 'a', cwd: root, command: ['cat'] });
    const path = await startPaneLog(tmux, 'a', dir);
    expect(path).toBe(paneLogPath(dir));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await tmux.sendKeysLiteral('a', 'hello \x1b[1mbold\r');
    await waitFor(() => read(path).includes('hello'), 'output in pane.log');
    expect(await ensurePaneLog(tmux, 'a', dir)).toBe(false);
    await tmux.pipePane('a', null);
    expect(await reassertPaneLog({ tmux, paths: { sessionDir: () => dir } }, { id: 'x', tmuxSession: 'a' })).toBe(true);
    expect(await tmux.panePiping('a')).toBe(true);
    await tmux.sendKeysLiteral('a', 'again\r');
    await waitFor(() => read(path).includes('again'), 'output after re-piping');
    expect(read(path).match(/hello/g)?.length).toBe(2); // typed (echo) and printed back by cat, once each
    expect(await reassertPaneLog({ tmux, paths: { sessionDir: () => dir } }, { id: 'x', tmuxSession: 'gone' })).toBe(false);
  });

  it('should rotate past the limit without losing or reordering a byte', async () => {
    const dir = join(root, 'sess-b');
    // Bursts of about 2 KiB, so the writer's reads stay well under the limit and it rotates several times.
    const script = 'i=0; while [ $i -lt 400 ]; do echo "line-$i-................................"; i=$((i+1)); [ $((i % 50)) -eq 0 ] && sleep 0.05; done; sleep 30';
    await tmux.newSession({ name: 'b', cwd: root, command: ['sh', '-c', `read go; ${script}`] });
    const path = await startPaneLog(tmux, 'b', dir, 4096);
    await tmux.sendKeysLiteral('b', 'go\r');
    await waitFor(() => read(path).includes('line-399-'), 'the last line', 10_000);
    const rotated = read(`${path}.1`);
    expect(rotated.length).toBeGreaterThan(0);
    expect(rotated.length).toBeLessThanOrEqual(4096);
    expect(statSync(`${path}.1`).mode & 0o777).toBe(0o600);
    expect(statSync(path).size).toBeLessThanOrEqual(4096); // a single read may pass it; these are ~2 KiB
    // Only the last rotation is kept; what it holds and the live file join up exactly.
    const joined = (rotated + read(path)).replace(/\r/g, '');
    const numbers = [...joined.matchAll(/line-(\d+)-/g)].map((m) => Number(m[1]));
    expect(numbers.at(-1)).toBe(399);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
  });
});

describe('pane log of a managed session', () => {
  let fixture: SessionFixture | undefined;
  afterEach(async () => {
    await fixture?.[Symbol.asyncDispose]();
    fixture = undefined;
  });

  it('should start with the session, and be re-asserted by recover() for a pane that stopped piping', async () => {
    fixture = startSessionFixture();
    const before = createSessionManager(fixture.deps);
    const session = await before.create({ name: 'logged', agent: 'paster', cwd: fixture.workdir('logged'), worktree: false, alerts: [] });
    const dir = fixture.deps.paths.sessionDir(session.id);
    const path = paneLogPath(dir);
    expect(await fixture.tmux.panePiping(session.tmuxSession)).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // What the agent prints once the session exists reaches pane.log. (Its very first line may not:
    // unlike a watcher's, an agent's pane has no gate holding it until the pipe is attached — a
    // quick agent's banner can come first, as the CI rehearsal saw.)
    await before.send('logged', { text: 'before the restart' });
    await eventually(async () => read(path).includes('before the restart'), 'the agent output in pane.log');
    before.close();

    await fixture.tmux.pipePane(session.tmuxSession, null);
    const after = createSessionManager(fixture.deps);
    expect((await after.recover()).reattached).toEqual(['logged']);
    expect(await fixture.tmux.panePiping(session.tmuxSession)).toBe(true);
    const size = read(path).length;
    await after.send('logged', { text: 'after the restart' });
    await eventually(async () => read(path).slice(size).includes('after the restart'), 'output after recovery in pane.log');
    after.close();
  });
});
