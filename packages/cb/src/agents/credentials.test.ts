import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeCredentialStatus, codexCredentialStatus, codexProvider, fingerprint } from './credentials.js';
import { parseTomlLite } from './toml-lite.js';

const homes: string[] = [];

function tempHome(files: Record<string, string> = {}): string {
  const home = mkdtempSync(join(tmpdir(), 'cb-cred-'));
  homes.push(home);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(home, path, '..'), { recursive: true });
    writeFileSync(join(home, path), content);
  }
  return home;
}

afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

const hash6 = (secret: string) => createHash('sha256').update(secret).digest('hex').slice(0, 6);

describe('fingerprint', () => {
  it('should name the source and never contain the secret', () => {
    const secret = 'sk-ant-api03-very-secret';
    expect(fingerprint('env:ANTHROPIC_API_KEY', secret)).toBe(`env:ANTHROPIC_API_KEY#${hash6(secret)}`);
    expect(fingerprint('env:ANTHROPIC_API_KEY', secret)).not.toContain('secret');
  });
});

describe('claudeCredentialStatus', () => {
  it.each(['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN'])('should accept %s', (name) => {
    const status = claudeCredentialStatus({ [name]: 'sk-123456' }, tempHome());
    expect(status).toEqual({ ok: true, credential: `env:${name}#${hash6('sk-123456')}`, detail: `${name} is set`, fix: null });
  });

  it('should ignore empty variables and explain the fix', () => {
    const status = claudeCredentialStatus({ ANTHROPIC_API_KEY: ' ' }, tempHome());
    expect(status.ok).toBe(false);
    expect(status.credential).toBe('none');
    expect(status.fix).toContain('export ANTHROPIC_API_KEY=');
    expect(status.fix).toContain('run `claude` once and /login');
  });

  it('should accept an apiKeyHelper in settings.json', () => {
    const home = tempHome({ '.claude/settings.json': JSON.stringify({ apiKeyHelper: '~/bin/get-key' }) });
    expect(claudeCredentialStatus({}, home)).toMatchObject({ ok: true, credential: `settings:apiKeyHelper#${hash6('~/bin/get-key')}` });
  });

  it('should accept a saved login, identified by its account', () => {
    const credentials = JSON.stringify({ claudeAiOauth: { accessToken: 'at-1', refreshToken: 'rt-1' } });
    const home = tempHome({ '.claude/.credentials.json': credentials, '.claude.json': JSON.stringify({ oauthAccount: { accountUuid: 'acct-1' } }) });
    const status = claudeCredentialStatus({}, home);
    expect(status).toMatchObject({ ok: true, credential: `file:.claude/.credentials.json#${hash6('acct-1')}` });
    expect(JSON.stringify(status)).not.toMatch(/at-1|rt-1|acct-1/);
  });

  it('should follow CLAUDE_CONFIG_DIR and survive broken files', () => {
    const home = tempHome({ 'alt/.credentials.json': '{not json', '.claude/settings.json': '{broken' });
    expect(claudeCredentialStatus({ CLAUDE_CONFIG_DIR: join(home, 'alt') }, home)).toMatchObject({ ok: true });
    expect(claudeCredentialStatus({}, home).ok).toBe(false);
  });
});

const FAKE_PROVIDER = [
  'model = "gpt-fake"',
  'model_provider = "fake"',
  '',
  '[model_providers.fake]',
  'name = "Fake"',
  'env_key = "FAKE_OPENAI_KEY"   # sent as Authorization: Bearer',
  'request_max_retries = 2',
  '',
  '[projects."/tmp/x repo"]',
  'trust_level = "trusted"',
].join('\n');

describe('codexCredentialStatus', () => {
  it.each(['OPENAI_API_KEY', 'CODEX_API_KEY'])('should accept %s', (name) => {
    expect(codexCredentialStatus({ [name]: 'sk-1' }, tempHome())).toMatchObject({ ok: true, credential: `env:${name}#${hash6('sk-1')}` });
  });

  it('should accept auth.json from codex login', () => {
    const home = tempHome({ '.codex/auth.json': JSON.stringify({ OPENAI_API_KEY: null, tokens: { account_id: 'acc-9', access_token: 'x' } }) });
    expect(codexCredentialStatus({}, home)).toMatchObject({ ok: true, credential: `file:.codex/auth.json#${hash6('acc-9')}` });
  });

  it('should need the env_key of the selected provider', () => {
    const home = tempHome({ '.codex/config.toml': FAKE_PROVIDER });
    expect(codexCredentialStatus({ FAKE_OPENAI_KEY: 'k' }, home)).toMatchObject({ ok: true, credential: `env:FAKE_OPENAI_KEY#${hash6('k')}` });
    const missing = codexCredentialStatus({ OPENAI_API_KEY: 'sk' }, home);
    expect(missing.ok).toBe(false);
    expect(missing.fix).toMatch(/^export FAKE_OPENAI_KEY=…/);
  });

  it('should follow CODEX_HOME and profiles', () => {
    const home = tempHome({ 'ch/config.toml': `profile = "work"\n[profiles.work]\nmodel_provider = "azure"\n[model_providers.azure]\nenv_key = "AZURE_KEY"\n` });
    expect(codexProvider({ CODEX_HOME: join(home, 'ch') }, home).name).toBe('azure');
    expect(codexCredentialStatus({ CODEX_HOME: join(home, 'ch'), AZURE_KEY: 'a' }, home).ok).toBe(true);
  });

  it('should explain the fix when nothing is there', () => {
    const status = codexCredentialStatus({}, tempHome());
    expect(status).toMatchObject({ ok: false, credential: 'none' });
    expect(status.fix).toBe('export OPENAI_API_KEY=… (or CODEX_API_KEY=…), or run `codex login`');
  });
});

describe('parseTomlLite', () => {
  it('should read tables, quoted keys and scalar values', () => {
    const tables = parseTomlLite(FAKE_PROVIDER);
    expect(tables.get('')?.get('model_provider')).toBe('fake');
    expect(tables.get('model_providers.fake')?.get('env_key')).toBe('FAKE_OPENAI_KEY');
    expect(tables.get('model_providers.fake')?.get('request_max_retries')).toBe('2');
    expect(tables.get('projects./tmp/x repo')?.get('trust_level')).toBe('trusted');
  });
});
