import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runProcess } from '@flotilla/testkit';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/codekb.js', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('codekb --version', () => {
  it('should print the package version and exit 0', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const run = await runProcess({ command: process.execPath, args: [BIN, '--version'], cwd: process.cwd(), env, timeoutMs: 30_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(VERSION);
  });
});
