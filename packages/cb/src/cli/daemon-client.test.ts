import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homePaths, type HomePaths } from '../home.js';
import { ensureDaemon, findDaemon, stopDaemon } from './daemon-client.js';
import { DaemonUnavailableError } from './errors.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A stand-in daemon: /health and /api/daemon/stop on the socket, daemon.json once listening, one line per start. */
const FAKE_DAEMON = `
import { createServer } from 'node:http';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
const home = process.env.FLOTILLA_HOME;
const version = process.env.FAKE_VERSION;
appendFileSync(home + '/starts', process.pid + '\\n');
if (process.env.FAKE_CRASH) { console.error('fake daemon: cannot open the database'); process.exit(3); }
const socket = home + '/cb.sock';
rmSync(socket, { force: true });
await new Promise((r) => setTimeout(r, 150)); // a daemon takes a moment to start: widen the race
createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  if (req.url === '/health') return res.end(JSON.stringify({ pid: process.pid, version, protocol: 1 }));
  if (req.url === '/api/daemon/stop') { res.end('{"stopping":true}'); setTimeout(() => process.exit(0), 20); return; }
  res.statusCode = 404; res.end('{}');
}).listen(socket, () => writeFileSync(home + '/daemon.json', JSON.stringify({ pid: process.pid, version, protocol: 1, socket, startedAt: new Date().toISOString() })));
`;

let dir: string;
let paths: HomePaths;
let entry: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cbd-'));
  paths = homePaths(join(dir, 'home'));
  entry = join(dir, 'fake-daemon.mjs');
  writeFileSync(entry, FAKE_DAEMON);
});

afterEach(() => {
  for (const pid of starts()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function starts(): number[] {
  const file = join(paths.home, 'starts');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map(Number) : [];
}

const options = (version: string, env: Record<string, string> = {}) => ({
  paths,
  version,
  daemonEntry: entry,
  env: { ...process.env, FAKE_VERSION: version, ...env },
});

describe('ensureDaemon', () => {
  it('should start one daemon, detached, and find it again afterwards', async () => {
    const first = await ensureDaemon(options('1.0.0'));
    expect(first.started).toBe(true);
    expect(first.health).toEqual({ pid: starts()[0], version: '1.0.0', protocol: 1 });
    const again = await ensureDaemon(options('1.0.0'));
    expect(again).toMatchObject({ started: false, health: first.health });
    expect(starts()).toHaveLength(1);
  });

  it('should start exactly one daemon when several processes start it at once', async () => {
    const script = `
      const { ensureDaemon } = await import(${JSON.stringify(join(ROOT, 'dist/cli/daemon-client.js'))});
      const { homePaths } = await import(${JSON.stringify(join(ROOT, 'dist/home.js'))});
      const c = await ensureDaemon({ paths: homePaths(process.env.FLOTILLA_HOME), version: '1.0.0', daemonEntry: process.argv[1] });
      console.log(c.health.pid);
      process.exit(0);`;
    const env = { ...process.env, FLOTILLA_HOME: paths.home, FAKE_VERSION: '1.0.0' };
    const results = await Promise.all(
      [1, 2, 3].map(() => run(process.execPath, ['--input-type=module', '-e', script, entry], { env, timeout: 30_000 })),
    );
    const pids = new Set(results.map((r) => Number(r.stdout.trim())));
    expect(starts()).toHaveLength(1);
    expect([...pids]).toEqual(starts());
  });

  it('should stop a daemon of another version and start ours', async () => {
    const old = await ensureDaemon(options('0.9.0'));
    const current = await ensureDaemon(options('1.0.0'));
    expect(current.started).toBe(true);
    expect(current.health.version).toBe('1.0.0');
    expect(current.health.pid).not.toBe(old.health.pid);
    expect(() => process.kill(old.health.pid, 0)).toThrowError(/ESRCH/);
  });

  it('should report a daemon that exits while starting, with its log', async () => {
    const error = await ensureDaemon(options('1.0.0', { FAKE_CRASH: '1' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaemonUnavailableError);
    expect((error as Error).message).toBe('the daemon exited while starting (exit code 3):\nfake daemon: cannot open the database');
    expect((error as DaemonUnavailableError).logPath).toBe(paths.daemonLog);
  });
});

describe('stopDaemon', () => {
  it('should stop the running daemon and wait for it to exit; nothing to do when none runs', async () => {
    const { health } = await ensureDaemon(options('1.0.0'));
    expect(await stopDaemon({ paths })).toEqual(health);
    expect(() => process.kill(health.pid, 0)).toThrowError(/ESRCH/);
    expect(await findDaemon({ paths })).toBeNull();
    expect(await stopDaemon({ paths })).toBeNull();
  });
});
