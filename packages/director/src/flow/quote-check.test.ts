import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@flotilla/testkit';
import { describe, expect, it } from 'vitest';
import { asksForExternalChange, checkFindings } from './quote-check.js';

const FILE = ['import { z } from "zod";', '', 'export function total(items) {', '  let sum = 0;', '  for (let i = 0; i <= items.length; i++) {', '    sum += items[i].price;', '  }', '  return sum;', '}', ''].join('\n');

describe('checkFindings', () => {
  it('should verify a quote near its line, whitespace-normalised and across lines, and say why others are unverified', async () => {
    await using tmp = await makeTempDir('director-quote-');
    await mkdir(join(tmp.path, 'src'));
    await writeFile(join(tmp.path, 'src/total.js'), FILE);
    await writeFile(join(tmp.path, '..', 'outside.txt'), 'secret').catch(() => undefined);
    await symlink('/etc/hostname', join(tmp.path, 'link')).catch(() => undefined);
    const checked = await checkFindings(tmp.path, [
      { claim: 'reads past the end', path: 'src/total.js', line: 5, quote: 'for (let i = 0;   i <= items.length; i++) {' },
      { claim: 'multi-line', path: './src/total.js', line: 6, quote: 'sum += items[i].price;\n  }\n  return sum;' },
      { claim: 'line a bit off', path: 'src/total.js', line: 12, quote: 'return sum;' },
      { claim: 'no line', path: 'src/total.js', line: null, quote: 'let sum = 0;' },
      { claim: 'line far off', path: 'src/total.js', line: 40, quote: 'let sum = 0;' },
      { claim: 'invented', path: 'src/total.js', line: 5, quote: 'items.forEach(' },
      { claim: 'no such file', path: 'src/missing.js', line: 1, quote: 'x' },
      { claim: 'escape', path: '../outside.txt', line: 1, quote: 'secret' },
      { claim: 'escape by link', path: 'link', line: 1, quote: 'x' },
      { claim: 'empty quote', path: 'src/total.js', line: 1, quote: '   ' },
    ]);
    expect(checked.map((f) => [f.claim, f.mark, f.foundAtLine, f.reason])).toEqual([
      ['reads past the end', 'verified', 5, null],
      ['multi-line', 'verified', 6, null],
      ['line a bit off', 'verified', 8, null],
      ['no line', 'verified', 4, null],
      ['line far off', 'unverified', 4, 'the quote is at line 4 of src/total.js, not near line 40'],
      ['invented', 'unverified', null, 'the quote is not in src/total.js'],
      ['no such file', 'unverified', null, 'src/missing.js does not exist in the worktree'],
      ['escape', 'unverified', null, '../outside.txt is outside the worktree'],
      ['escape by link', 'unverified', null, 'link is outside the worktree'],
      ['empty quote', 'unverified', null, 'no quote to check'],
    ]);
  });

  it('should flag an external-configuration finding only when its quote is not verified', async () => {
    await using tmp = await makeTempDir('director-quote-');
    await writeFile(join(tmp.path, 'config.js'), 'const key = process.env.STRIPE_KEY;\n');
    const [unproven, proven, plain] = await checkFindings(tmp.path, [
      { claim: 'Set STRIPE_KEY in the Vercel project settings', path: null, line: null, quote: null },
      { claim: 'The STRIPE_KEY environment variable must be set in CI secrets', path: 'config.js', line: 1, quote: 'process.env.STRIPE_KEY' },
      { claim: 'total() reads past the end of the array', path: 'a.js', line: 1, quote: null },
    ]);
    expect(unproven).toMatchObject({ mark: 'external_unverified', external: true });
    expect(proven).toMatchObject({ mark: 'verified', external: true });
    expect(plain).toMatchObject({ mark: 'unverified', external: false });
  });
});

describe('asksForExternalChange', () => {
  it.each([
    'Add DATABASE_URL to the environment variables',
    'Export SENTRY_DSN before starting the server',
    'Update the DNS CNAME record for api.example.com',
    'Add the token to the GitHub secrets of the repository',
    'Open the AWS console and raise the Lambda timeout',
    'Enable the flag in the Firebase project settings',
    'Change the rate limit in the dashboard',
    'Grant the service account the storage.admin IAM role',
    'Rotate the API key',
  ])('should count "%s" as external', (claim) => expect(asksForExternalChange(claim)).toBe(true));

  it.each(['console.log leaks the token in src/auth.ts', 'the loop reads past the end of the array', 'rename getEnv to readEnv', 'the test for the settings parser is missing'])(
    'should not count "%s" as external',
    (claim) => expect(asksForExternalChange(claim)).toBe(false),
  );
});
