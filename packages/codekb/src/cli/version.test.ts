import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runProcess } from '@flotilla/testkit';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/codekb.js', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('codekb --version', () => {
  it('should print the package version and exit 0', async () => {
    const run = await runProcess({ command: process.execPath, args: [BIN, '--version'], timeoutMs: 30_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(VERSION);
  });
});
