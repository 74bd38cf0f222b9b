import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BROWSER_TOKEN_TTL_MS, createSessionTokens, tokenFingerprint } from './browser-tokens.js';

const dirs: string[] = [];
function tokenFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cb-tokens-'));
  dirs.push(dir);
  return join(dir, 'browser-tokens.json');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('session tokens', () => {
  it('should spend a link token when a browser trades it, and accept the cookie token instead', async () => {
    const tokens = createSessionTokens();
    const link = tokens.issue();
    expect(tokens.all()).toEqual([link]);
    const cookie = await tokens.exchange(link);
    expect(cookie).toMatch(/^\S{16,}$/);
    expect(tokens.all()).toEqual([cookie]);
    expect(await tokens.exchange(link)).toBeNull();
    expect(await tokens.exchange(cookie!)).toBeNull();
  });

  it('should keep cookie tokens in a 0600 file that a restarted daemon reads, and never the link tokens', async () => {
    const file = tokenFile();
    const before = createSessionTokens({ file });
    const unused = before.issue();
    const cookie = (await before.exchange(before.issue()))!;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(unused);
    const after = createSessionTokens({ file });
    expect(after.all()).toEqual([cookie]);
  });

  it('should drop cookie tokens older than their lifetime', async () => {
    const file = tokenFile();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const tokens = createSessionTokens({ file, now: () => now });
    const old = (await tokens.exchange(tokens.issue()))!;
    now += BROWSER_TOKEN_TTL_MS - 1000;
    expect(createSessionTokens({ file, now: () => now }).all()).toEqual([old]);
    now += 2000;
    expect(createSessionTokens({ file, now: () => now }).all()).toEqual([]);
  });

  it('should list browsers by fingerprint, mark the current one, and sign one out for good', async () => {
    const file = tokenFile();
    const tokens = createSessionTokens({ file });
    const phone = (await tokens.exchange(tokens.issue()))!;
    const laptop = (await tokens.exchange(tokens.issue()))!;
    const listed = tokens.browsers(laptop);
    expect(listed.map((b) => [b.id, b.current])).toEqual([
      [tokenFingerprint(phone), false],
      [tokenFingerprint(laptop), true],
    ]);
    expect(JSON.stringify(listed)).not.toContain(phone);
    expect(await tokens.revoke(tokenFingerprint(phone))).toBe(true);
    expect(await tokens.revoke(tokenFingerprint(phone))).toBe(false);
    expect(tokens.all()).toEqual([laptop]);
    expect(createSessionTokens({ file }).all()).toEqual([laptop]);
  });

  it('should stop accepting a browser token when it expires, without a restart', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const tokens = createSessionTokens({ now: () => now });
    const cookie = (await tokens.exchange(tokens.issue()))!;
    expect(tokens.all()).toEqual([cookie]);
    now += BROWSER_TOKEN_TTL_MS;
    expect(tokens.all()).toEqual([]);
    expect(tokens.browsers()).toEqual([]);
  });

  it('should start with no browser tokens from a missing or damaged file', () => {
    const file = tokenFile();
    expect(createSessionTokens({ file }).all()).toEqual([]);
  });
});
