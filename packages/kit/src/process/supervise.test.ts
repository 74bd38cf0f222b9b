import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, superviseChild, type Supervisor } from './index.js';

const running: Supervisor[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kit-supervise-'));
  dirs.push(dir);
  return dir;
}

function supervise(script: string, extra: Partial<Parameters<typeof superviseChild>[0]> = {}): Supervisor {
  const supervisor = superviseChild({ name: 'child', command: process.execPath, args: ['-e', script], env: { PATH: process.env.PATH }, backoffMs: 50, ...extra });
  running.push(supervisor);
  return supervisor;
}

async function until<T>(read: () => T, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('superviseChild', () => {
  it('should start a child that ends on its own again, and keep its last stderr line', async () => {
    const supervisor = supervise("console.error('config broken'); process.exit(1)");
    const state = await until(() => supervisor.state(), (s) => s.restarts >= 2);
    expect(state.lastExit).toBe('exit 1');
    expect(state.lastError).toBe('config broken');
  });

  it('should not start a child again that exits with the give-up code', async () => {
    const supervisor = supervise('process.exit(78)');
    await until(() => supervisor.state(), (s) => s.lastExit === 'exit 78');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(supervisor.state()).toMatchObject({ running: false, restarts: 0 });
  });

  it('should stop the child and what it started, and start nothing after', async () => {
    const dir = tempDir();
    const pidFile = join(dir, 'grandchild.pid');
    const script = `const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); setInterval(() => {}, 1000);`;
    const supervisor = supervise(script);
    const grandchild = Number(await until(() => { try { return readFileSync(pidFile, 'utf8'); } catch { return ''; } }, (text) => text !== ''));
    const pid = supervisor.state().pid!;
    await supervisor.stop();
    await until(() => isAlive(grandchild) || isAlive(pid), (alive) => !alive);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(supervisor.state()).toMatchObject({ running: false, restarts: 0 });
  });

  it('should SIGKILL a child that ignores SIGTERM after the grace', async () => {
    const supervisor = supervise("process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)", { stopGraceMs: 200 });
    await until(() => supervisor.state().running, Boolean);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await supervisor.stop();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(supervisor.state().lastExit).toBe('signal SIGKILL');
  });

  it('should pass each line the child prints to onLine', async () => {
    const lines: string[] = [];
    const dir = tempDir();
    writeFileSync(join(dir, 'x.js'), "console.log('one'); console.error('two'); setInterval(() => {}, 1000)");
    const supervisor = superviseChild({ name: 'lines', command: process.execPath, args: [join(dir, 'x.js')], env: {}, onLine: (stream, line) => lines.push(`${stream}:${line}`) });
    running.push(supervisor);
    await until(() => lines.length, (n) => n >= 2);
    expect(lines.sort()).toEqual(['stderr:two', 'stdout:one']);
  });
});
