import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/cb.cjs');
const DAEMON = join(ROOT, 'dist/daemon/main.js');
const HOME = mkdtempSync(join(tmpdir(), 'cb-first-'));
const env = { ...process.env, FLOTILLA_HOME: HOME };

/** Pids of daemon processes of this home, from /proc (Linux). */
function daemonsOfHome(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(DAEMON) && readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`FLOTILLA_HOME=${HOME}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

// Needs the real daemon (dist/daemon/main.js, built by `pnpm build`); skipped until it exists.
describe.skipIf(!existsSync(DAEMON) || !existsSync('/proc'))('two concurrent first runs (real daemon)', () => {
  afterAll(async () => {
    await run(process.execPath, [BIN, 'daemon', 'stop'], { env }).catch(() => undefined);
    for (const pid of daemonsOfHome()) process.kill(pid, 'SIGKILL');
    rmSync(HOME, { recursive: true, force: true });
  });

  it('should start exactly one daemon', { timeout: 60_000 }, async () => {
    const [a, b] = await Promise.all([
      run(process.execPath, [BIN, 'daemon', 'start', '--json'], { env, timeout: 40_000 }),
      run(process.execPath, [BIN, 'daemon', 'start', '--json'], { env, timeout: 40_000 }),
    ]);
    const [sa, sb] = [JSON.parse(a.stdout), JSON.parse(b.stdout)] as { pid: number; version: string; protocol: number }[];
    expect(sa!.pid).toBe(sb!.pid);
    expect(daemonsOfHome()).toEqual([sa!.pid]);
    const record = JSON.parse(readFileSync(join(HOME, 'daemon.json'), 'utf8')) as { pid: number };
    expect(record.pid).toBe(sa!.pid);
    const status = await run(process.execPath, [BIN, 'daemon', 'status', '--json'], { env });
    expect(JSON.parse(status.stdout)).toMatchObject({ pid: sa!.pid, version: sa!.version, protocol: sa!.protocol });
  });
});
