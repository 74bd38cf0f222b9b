import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTmux, type Tmux } from '@flotilla/kit/tmux';
import { makeTempDir, type TempDir } from '@flotilla/testkit';
import { createTerminalHub, type TerminalHub, type TerminalTarget, type Viewer } from './terminal-hub.js';

/** A viewer that keeps the text of every output message it was sent. */
function collectingViewer(): Viewer & { text(): string } {
  const outputs: string[] = [];
  return {
    send(message) {
      const parsed = JSON.parse(message) as { type: string; data?: string };
      if (parsed.type === 'output' && parsed.data) outputs.push(Buffer.from(parsed.data, 'base64').toString('utf8'));
    },
    close: () => undefined,
    bufferedAmount: () => 0,
    text: () => outputs.join(''),
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The hub on a real tmux pane; the pane log is written by the test, as tmux's pipe would. */
describe('createTerminalHub (real tmux, a log written by the test)', () => {
  let dir: TempDir;
  let tmux: Tmux;
  let hub: TerminalHub;
  let target: TerminalTarget;

  beforeEach(async () => {
    dir = await makeTempDir('terminal-hub-');
    tmux = createTmux({ socketName: `terminal-hub-${process.pid}` });
    await tmux.newSession({ name: 'pane', cwd: dir.path, command: ['sleep', '60'] });
    const logPath = join(dir.path, 'pane.log');
    await writeFile(logPath, 'before\r\n');
    hub = createTerminalHub({ tmux, bus: { subscribe: () => () => undefined } });
    target = { kind: 'session', id: 'pane-id', name: 'pane', tmuxSession: 'pane', logPath, ended: async () => null };
  });

  afterEach(async () => {
    await hub.close();
    await tmux.killServer().catch(() => false);
    await dir[Symbol.asyncDispose]();
  });

  it('should keep following for a viewer that attaches while the last other viewer leaves', async () => {
    const first = await hub.attach(target, collectingViewer(), { readOnly: true });
    // A browser unlocking typing: the new stream is asked for, then the old one closes at once.
    const second = collectingViewer();
    const attaching = hub.attach(target, second, { readOnly: false });
    first.detach();
    const connection = await attaching;
    expect(hub.stats()).toEqual({ panes: 1, viewers: 1 });
    await appendFile(target.logPath, 'typed-5\r\n');
    await until(() => second.text().includes('typed-5'), 'output written after the swap to reach the new viewer');
    connection.detach();
    expect(hub.stats()).toEqual({ panes: 0, viewers: 0 });
  });

  it('should send each byte once to a viewer that attaches while output is arriving', async () => {
    const viewer = collectingViewer();
    const attaching = hub.attach(target, viewer, { readOnly: true });
    await appendFile(target.logPath, 'during\r\n');
    const connection = await attaching;
    await appendFile(target.logPath, 'after\r\n');
    await until(() => viewer.text().includes('after'), 'output written after the attach');
    expect(viewer.text().split('after').length).toBe(2);
    connection.detach();
  });
});
