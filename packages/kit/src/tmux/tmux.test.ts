import { randomBytes } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDir } from '../test-helpers/test-dir.js';
import { isAlive } from '../process/index.js';
import { createLocalExecutor, createTmux, isKitError, type ExecOptions, type Tmux } from './index.js';

const servers: Tmux[] = [];

/** A tmux server on a unique private socket, killed when the test ends. */
function tmuxFixture(): Tmux & AsyncDisposable {
  const tmux = createTmux({ socketName: `kit-test-${process.pid}-${randomBytes(4).toString('hex')}` });
  servers.push(tmux);
  return Object.assign(tmux, { [Symbol.asyncDispose]: async () => void (await tmux.killServer()) });
}

afterAll(async () => {
  for (const tmux of servers) await tmux.killServer();
});

async function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function readFileIfAny(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function screenContains(tmux: Tmux, name: string, text: string): Promise<void> {
  let screen = '';
  await waitFor(async () => (screen = await tmux.capturePane(name, { lines: 'all' })).includes(text), `"${text}" on ${name}`).catch(
    async (error: Error) => {
      throw new Error(`${error.message}; screen: ${JSON.stringify(screen)}; sessions: ${JSON.stringify(await tmux.listSessions())}`);
    },
  );
}

describe('createTmux', () => {
  it('should create, list and kill sessions on its private server', async () => {
    await using tmux = tmuxFixture();
    using dir = createTestDir('kit-tmux-');
    const before = Date.now();
    await tmux.newSession({ name: 'job-a', cwd: dir.path, command: ['sleep', '30'] });
    expect(await tmux.hasSession('job-a')).toBe(true);
    const [info] = await tmux.listSessions();
    expect(info).toMatchObject({ name: 'job-a', paneDead: false, exitStatus: null, exitSignal: null });
    expect(info!.created).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(info!.panePid).toBe(await tmux.panePid('job-a'));
    expect(readFileSync(`/proc/${info!.panePid}/cmdline`, 'utf8')).toBe('sleep\u000030\u0000');
    expect(isAlive(info!.panePid!)).toBe(true);
    expect(await tmux.killSession('job-a')).toBe(true);
    expect(await tmux.killSession('job-a')).toBe(false);
    expect(await tmux.hasSession('job-a')).toBe(false);
    expect(await tmux.panePid('job-a')).toBeNull();
  });

  it('should pass argv through the shell unchanged, with env and cwd', async () => {
    await using tmux = tmuxFixture();
    using dir = createTestDir('kit-tmux-');
    const args = ["it's", 'a b', '$HOME', '*', '`id`', '"q"', '€'];
    // Every test command lingers after printing: tmux drops the last output of a pane process that
    // exits within moments of writing it when the machine is busy.
    await tmux.newSession({ name: 'argv', cwd: dir.path, command: ['sh', '-c', 'printf "[%s]" "$@"; sleep 30', 'sh', ...args] });
    await screenContains(tmux, 'argv', '[€]');
    expect(await tmux.capturePane('argv', { lines: 'all' })).toContain(args.map((a) => `[${a}]`).join(''));
    await tmux.newSession({ name: 'env', cwd: dir.path, command: ['sh', '-c', 'echo "V=$FOO@$(pwd)"; sleep 30'], env: { FOO: 'bar baz' } });
    await screenContains(tmux, 'env', `V=bar baz@${realpathSync(dir.path)}`);
  });

  it('should keep a dead pane with its output and exit status', async () => {
    await using tmux = tmuxFixture();
    await tmux.newSession({ name: 'quick', cwd: '/', command: ['sh', '-c', 'echo finished; sleep 0.3; exit 7'] });
    const info = await waitFor(async () => (await tmux.listSessions()).find((s) => s.exitStatus !== null), 'an exit status');
    expect(info).toMatchObject({ name: 'quick', paneDead: true, exitStatus: 7, exitSignal: null });
    expect(await tmux.capturePane('quick', { lines: 'all' })).toContain('finished');
    await tmux.newSession({ name: 'killed', cwd: '/', command: ['sh', '-c', 'kill -9 $$'] });
    const killed = await waitFor(async () => (await tmux.listSessions()).find((s) => s.name === 'killed' && s.exitSignal !== null), 'a signal');
    expect(killed).toMatchObject({ paneDead: true, exitStatus: null, exitSignal: 9 });
  });

  it('should address sessions by exact name, never by prefix', async () => {
    await using tmux = tmuxFixture();
    await tmux.newSession({ name: 'job1', cwd: '/', command: ['sleep', '30'] });
    await tmux.newSession({ name: 'job10', cwd: '/', command: ['sleep', '30'] });
    expect(await tmux.hasSession('job')).toBe(false);
    expect(await tmux.killSession('job1')).toBe(true);
    expect((await tmux.listSessions()).map((s) => s.name)).toEqual(['job10']);
  });

  it('should type literal text without interpreting key names, and press named keys', async () => {
    await using tmux = tmuxFixture();
    await tmux.newSession({ name: 'cat', cwd: '/', command: ['cat'] });
    await tmux.sendKeysLiteral('cat', 'Enter C-c -x');
    await tmux.sendKey('cat', 'Enter');
    await waitFor(async () => (await tmux.capturePane('cat')).split('\n').filter((l) => l === 'Enter C-c -x').length === 2, 'echoed line');
    await tmux.sendKey('cat', 'C-d');
    await waitFor(async () => (await tmux.listSessions())[0]?.paneDead, 'cat to exit on EOF');
    await expect(tmux.sendKey('cat', 'hello world')).rejects.toSatisfy((error) => isKitError(error, 'TMUX_INVALID_ARGUMENT'));
  });

  it('should deliver text as one bracketed paste followed by Enter', async () => {
    await using tmux = tmuxFixture();
    using dir = createTestDir('kit-tmux-');
    const out = dir.join('received.hex');
    // Turn on bracketed paste like an agent TUI does, then record the raw bytes the pane receives.
    const script = `printf '\\033[?2004h'; stty raw -echo; echo READY; head -c 21 | od -An -tx1 > '${out}'; sleep 0.3`;
    await tmux.newSession({ name: 'tui', cwd: dir.path, command: ['sh', '-c', script] });
    await screenContains(tmux, 'tui', 'READY');
    await tmux.pasteText('tui', 'hi\nthere', { enter: true, enterDelayMs: 50 });
    await waitFor(async () => (await tmux.listSessions())[0]?.paneDead, 'recorder to finish');
    const bytes = Buffer.from(readFileSync(out, 'utf8').replace(/\s+/g, ''), 'hex').toString('latin1');
    expect(bytes).toBe('\x1b[200~hi\rthere\x1b[201~\r');
    const buffers = await tmux.run(['list-buffers']);
    expect(buffers.stdout).toBe('');
  });

  it('should capture with or without ANSI attributes', async () => {
    await using tmux = tmuxFixture();
    await tmux.newSession({ name: 'color', cwd: '/', command: ['sh', '-c', "printf '\\033[31mred\\033[0m plain'; sleep 30"] });
    await screenContains(tmux, 'color', 'red plain');
    expect(await tmux.capturePane('color', { ansi: true, lines: 100 })).toMatch(/\x1b\[31mred/);
    expect(await tmux.capturePane('color', { lines: 100 })).not.toContain('\x1b');
  });

  it('should pipe the pane output to a command, report it, and replace or close the pipe', async () => {
    await using tmux = tmuxFixture();
    using dir = createTestDir('kit-tmux-');
    const first = dir.join('first.log');
    const second = dir.join('second.log');
    await tmux.newSession({ name: 'piped', cwd: '/', command: ['cat'], width: 120, height: 40 });
    expect(await tmux.panePiping('piped')).toBe(false);
    await tmux.pipePane('piped', `cat >> '${first}'`);
    expect(await tmux.panePiping('piped')).toBe(true);
    await tmux.sendKeysLiteral('piped', 'one\r');
    await waitFor(async () => readFileIfAny(first).includes('one'), 'output in the first pipe');
    await tmux.pipePane('piped', `cat >> '${second}'`);
    await tmux.sendKeysLiteral('piped', 'two\r');
    await waitFor(async () => readFileIfAny(second).includes('two'), 'output in the second pipe');
    expect(readFileIfAny(first)).not.toContain('two');
    await tmux.pipePane('piped', null);
    expect(await tmux.panePiping('piped')).toBe(false);
    expect(await tmux.panePiping('gone')).toBeNull();
    await expect(tmux.pipePane('gone', 'cat')).rejects.toSatisfy((error) => isKitError(error, 'TMUX_SESSION_NOT_FOUND'));
    expect(await tmux.paneGeometry('piped')).toMatchObject({ cols: 120, rows: 40, alternateScreen: false });
    expect(await tmux.paneGeometry('gone')).toBeNull();
  });

  it('should send bytes to the pane exactly, never as key names', async () => {
    await using tmux = tmuxFixture();
    using dir = createTestDir('kit-tmux-');
    const out = dir.join('received.hex');
    const script = `stty raw -echo; echo READY; head -c 8 | od -An -tx1 > '${out}'; sleep 0.3`;
    await tmux.newSession({ name: 'raw', cwd: dir.path, command: ['sh', '-c', script] });
    await screenContains(tmux, 'raw', 'READY');
    await tmux.sendBytes('raw', Buffer.from('Enter\x03\x1b\xff', 'latin1'));
    await waitFor(async () => (await tmux.listSessions())[0]?.paneDead, 'recorder to finish');
    expect(readFileSync(out, 'utf8').replace(/\s+/g, '')).toBe('456e7465720' + '31bff');
  });

  it('should report failures with stable codes', async () => {
    await using tmux = tmuxFixture();
    await expect(tmux.capturePane('nope')).rejects.toSatisfy((error) => isKitError(error, 'TMUX_SESSION_NOT_FOUND'));
    await tmux.newSession({ name: 'dup', cwd: '/', command: ['sleep', '30'] });
    await expect(tmux.newSession({ name: 'dup', cwd: '/', command: ['sleep', '30'] })).rejects.toSatisfy((error) =>
      isKitError(error, 'TMUX_SESSION_EXISTS'),
    );
    await expect(tmux.pasteText('nope', 'x')).rejects.toSatisfy((error) => isKitError(error, 'TMUX_SESSION_NOT_FOUND'));
    await expect(tmux.newSession({ name: 'a.b', cwd: '/', command: ['true'] })).rejects.toSatisfy((error) =>
      isKitError(error, 'TMUX_INVALID_ARGUMENT'),
    );
    const missing = createTmux({ socketName: 'kit-test-none', tmuxPath: '/nonexistent/tmux' });
    await expect(missing.newSession({ name: 'x', cwd: '/', command: ['true'] })).rejects.toSatisfy((error) =>
      isKitError(error, 'TMUX_NOT_INSTALLED'),
    );
  });

  it('should set options on a session, a window and globally', async () => {
    await using tmux = tmuxFixture();
    await tmux.newSession({ name: 'opts', cwd: '/', command: ['sleep', '30'] });
    await tmux.setOption('@flotilla-job', 'J1', { target: 'opts' });
    await tmux.setOption('remain-on-exit', 'off', { target: 'opts', scope: 'window' });
    await tmux.setOption('status', 'off');
    const show = async (...args: string[]) => (await tmux.run(['show-options', ...args])).stdout.trim();
    expect(await show('-v', '-t', '=opts:', '@flotilla-job')).toBe('J1');
    expect(await show('-w', '-v', '-t', '=opts:', 'remain-on-exit')).toBe('off');
    expect(await show('-g', '-v', 'status')).toBe('off');
    await expect(tmux.setOption('status', 'off', { target: 'gone' })).rejects.toSatisfy((error) => isKitError(error, 'TMUX_SESSION_NOT_FOUND'));
    await expect(tmux.setOption('bad option', 'x')).rejects.toSatisfy((error) => isKitError(error, 'TMUX_INVALID_ARGUMENT'));
  });

  it('should run every command through the injected executor, on its own socket, ignoring ~/.tmux.conf', async () => {
    const calls: Array<{ argv: string[]; options: ExecOptions | undefined }> = [];
    const local = createLocalExecutor();
    const socketName = `kit-test-${process.pid}-exec`;
    const tmux = createTmux({ socketName, exec: (argv, options) => (calls.push({ argv, options }), local(argv, options)) });
    servers.push(tmux);
    await tmux.newSession({ name: 'via', cwd: '/', command: ['cat'] });
    await tmux.pasteText('via', 'payload');
    expect(calls[0]!.argv.slice(0, 6)).toEqual(['tmux', '-u', '-L', socketName, '-f', '/dev/null']);
    expect(calls.at(-1)!.options).toEqual({ input: 'payload' });
    expect(await tmux.killServer()).toBe(true);
    expect(await tmux.killServer()).toBe(false);
    expect(await tmux.listSessions()).toEqual([]);
  });
});

describe('createLocalExecutor', () => {
  it('should return failures as values: exit codes, timeouts and missing binaries', async () => {
    const exec = createLocalExecutor({ timeoutMs: 2000 });
    expect(await exec(['sh', '-c', 'cat; echo err >&2; exit 3'], { input: 'in' })).toMatchObject({
      exitCode: 3,
      stdout: 'in',
      stderr: 'err\n',
      timedOut: false,
    });
    const slow = await exec(['sleep', '5'], { timeoutMs: 100 });
    expect(slow).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: true });
    expect(slow.durationMs).toBeLessThan(2000);
    expect(await exec(['/nonexistent/binary'])).toMatchObject({ exitCode: 127, timedOut: false });
  });
});
