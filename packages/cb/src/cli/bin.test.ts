import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/cb.cjs');
const HOME = mkdtempSync(join(tmpdir(), 'cb-bin-'));

function cb(...args: string[]) {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/cli/main.js is missing: build first (pnpm -C packages/cb build)');
  const result = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, FLOTILLA_HOME: HOME, NO_COLOR: '1' }, encoding: 'utf8', timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

afterAll(() => rmSync(HOME, { recursive: true, force: true }));

describe('bin/cb.cjs', () => {
  it('should print help listing the job options and every command, and exit 0', () => {
    const { code, stdout, stderr } = cb('--help');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Usage: cb \[options\] "prompt"/);
    for (const text of ['--worktree', '--permissions <MODE>', '--env <KEY=VAL>', '--follow', 'ls [options]', 'takeover <id>', 'daemon', 'serve [options]']) {
      expect(stdout).toContain(text);
    }
  });

  it('should refuse an unknown flag with exit 2 and say which', () => {
    const { code, stdout, stderr } = cb('--bogus', 'fix it');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe("error: unknown option '--bogus'\n(cb --help shows every option)\n");
  });

  it('should refuse a bad flag value with exit 2, the flag and the fix, and as JSON with --json', () => {
    const { code, stdout, stderr } = cb('--json', '--timeout', 'soon', 'fix it');
    expect(code).toBe(2);
    expect(stderr).toBe('cb: --timeout: invalid duration "soon"\nfix: use e.g. 90s, 15m, 2h, 1h30m or a number of milliseconds\n');
    expect(JSON.parse(stdout)).toEqual({
      error: { code: 'BAD_REQUEST', message: '--timeout: invalid duration "soon"', fix: 'use e.g. 90s, 15m, 2h, 1h30m or a number of milliseconds' },
    });
  });

  it('should not start a daemon for cb daemon status', () => {
    const { code, stderr } = cb('daemon', 'status');
    expect(code).toBe(1);
    expect(stderr).toBe(`cb: no daemon is running for ${HOME}\nfix: start it with: cb daemon start (any other cb command starts it too)\n`);
    expect(existsSync(join(HOME, 'daemon.json'))).toBe(false);
  });
});
