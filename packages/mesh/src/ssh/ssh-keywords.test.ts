/**
 * The keyword list against the installed ssh: every listed keyword must be one ssh knows
 * (it may dislike the value, never the keyword), and an unknown one must warn, not throw.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSshTarget } from './ssh-config.js';
import { OPENSSH_KEYWORDS } from './ssh-keywords.js';

const run = promisify(execFile);
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-ssh-keywords-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function sshComplaint(config: string): Promise<string> {
  const path = join(dir, 'config');
  await writeFile(path, config);
  return run('ssh', ['-G', '-F', path, 'x'], { env: { ...process.env, HOME: dir } }).then(
    () => '',
    (error: { stderr: string }) => error.stderr,
  );
}

describe('OPENSSH_KEYWORDS', () => {
  it('should only list keywords the installed ssh knows', async () => {
    const unknown: string[] = [];
    for (const keyword of OPENSSH_KEYWORDS.filter((word) => !['host', 'match', 'include'].includes(word))) {
      if ((await sshComplaint(`Host nomatch\n  ${keyword} no\n`)).includes('Bad configuration option')) unknown.push(keyword);
    }
    expect(unknown).toEqual([]);
    expect(await sshComplaint('Host nomatch\n  hostnmae no\n')).toMatch(/Bad configuration option: hostnmae/);
  });
});

describe('resolveSshTarget with unknown keywords', () => {
  it('should warn about a keyword ssh would refuse, unless IgnoreUnknown covers it', async () => {
    const path = join(dir, 'config');
    await writeFile(path, 'Host x\n  Hostnmae typo.example\nIgnoreUnknown Use*\nHost *\n  UseKeychain yes\n  Bogus 1\n');
    const target = await resolveSshTarget('x', { home: dir, configPath: path, localUser: userInfo().username });
    expect(target.hostname).toBe('x');
    expect(target.warnings.map((warning) => warning.replace(`${path} `, ''))).toEqual([
      'line 2: unknown keyword "hostnmae" is ignored (ssh would refuse this config)',
      'line 6: unknown keyword "bogus" is ignored (ssh would refuse this config)',
    ]);
  });
});
