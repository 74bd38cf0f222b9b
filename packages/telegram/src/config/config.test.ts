import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTelegramConfig, parseUserList, startProblem, writeTelegramConfig } from './config.js';

const TOKEN = '123456:AAH-secret_part';
let home: string;
afterEach(() => rmSync(home, { recursive: true, force: true }));
const fresh = (): string => (home = mkdtempSync(join(tmpdir(), 'tg-config-')));

describe('loadTelegramConfig', () => {
  it('should write the file with mode 0600 and read it back', async () => {
    fresh();
    const file = await writeTelegramConfig(home, { token: TOKEN, allowedUsers: [42] });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const loaded = await loadTelegramConfig({ home, env: {} });
    expect(loaded).toMatchObject({ ok: true, fileExists: true, value: { token: TOKEN, allowedUsers: [42], mode: 'polling' } });
  });

  it('should let the environment override the file', async () => {
    fresh();
    await writeTelegramConfig(home, { token: TOKEN, allowedUsers: [42], transcription: { url: 'http://127.0.0.1:1/v1/audio/transcriptions', model: 'a' } });
    const env = { TELEGRAM_BOT_TOKEN: '999:other', TELEGRAM_ALLOWED_USERS: '7, 8,7', TELEGRAM_API_ROOT: 'http://127.0.0.1:9', TELEGRAM_TRANSCRIBE_KEY: 'sk-x' };
    const loaded = await loadTelegramConfig({ home, env });
    expect(loaded.ok && loaded.value).toEqual({
      token: '999:other',
      allowedUsers: [7, 8],
      apiRoot: 'http://127.0.0.1:9',
      mode: 'polling',
      transcription: { url: 'http://127.0.0.1:1/v1/audio/transcriptions', model: 'a', apiKey: 'sk-x' },
    });
  });

  it('should work from the environment alone', async () => {
    fresh();
    const loaded = await loadTelegramConfig({ home, env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_ALLOWED_USERS: '5' } });
    expect(loaded).toMatchObject({ ok: true, fileExists: false, value: { allowedUsers: [5] } });
  });

  it('should report a corrupt file with its path and leave it as it is', async () => {
    fresh();
    const file = join(home, 'telegram.json');
    writeFileSync(file, '{"token": "123:abc", ');
    const loaded = await loadTelegramConfig({ home, env: { TELEGRAM_BOT_TOKEN: TOKEN } });
    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.issues[0]).toContain(`${file} is not valid JSON`);
    expect(readFileSync(file, 'utf8')).toBe('{"token": "123:abc", ');
  });

  it('should name the field that does not fit the schema', async () => {
    fresh();
    writeFileSync(join(home, 'telegram.json'), JSON.stringify({ token: TOKEN, allowedUsers: ['me'] }));
    const loaded = await loadTelegramConfig({ home, env: {} });
    expect(!loaded.ok && loaded.issues[0]).toMatch(/allowedUsers\.0: /);
  });

  it('should say how to get a token when there is none', async () => {
    fresh();
    const loaded = await loadTelegramConfig({ home, env: {} });
    expect(!loaded.ok && loaded.issues[0]).toContain('run `cb-telegram setup`');
  });

  it('should refuse webhook mode without its settings', async () => {
    fresh();
    writeFileSync(join(home, 'telegram.json'), JSON.stringify({ token: TOKEN, allowedUsers: [1], mode: 'webhook' }));
    const loaded = await loadTelegramConfig({ home, env: {} });
    expect(!loaded.ok && loaded.issues[0]).toContain('webhook mode needs webhook');
  });

  it('should refuse to start with an empty allowlist, saying how to fix it', async () => {
    fresh();
    const loaded = await loadTelegramConfig({ home, env: { TELEGRAM_BOT_TOKEN: TOKEN } });
    if (!loaded.ok) throw new Error(loaded.issues.join());
    expect(startProblem(loaded.value, loaded.file)).toContain('TELEGRAM_ALLOWED_USERS=<your numeric id>');
    expect(startProblem({ ...loaded.value, allowedUsers: [1] }, loaded.file)).toBeNull();
  });
});

describe('parseUserList', () => {
  it('should read comma-separated ids and refuse anything else, naming it', () => {
    expect(parseUserList(' 1,22 , 333,')).toEqual({ ok: true, value: [1, 22, 333] });
    expect(parseUserList('1,@bob')).toEqual({ ok: false, issue: '"@bob" is not a Telegram user id (digits only, comma-separated)' });
    expect(parseUserList('-5').ok).toBe(false);
  });
});
