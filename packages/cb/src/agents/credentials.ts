import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { CredentialStatus } from './types.js';
import { parseTomlLite } from './toml-lite.js';

type Env = Readonly<Record<string, string | undefined>>;

/** First 6 hex digits of the secret's sha256: enough to tell credentials apart, useless to an attacker. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 6);
}

/** `env:ANTHROPIC_API_KEY#ab12cd`: where the credential comes from plus a short hash, never the secret. */
export function fingerprint(source: string, secret: string): string {
  return `${source}#${secretHash(secret)}`;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function readJson(path: string): unknown {
  const text = readText(path);
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function envValue(env: Env, name: string): string | null {
  const value = env[name];
  return value !== undefined && value.trim() !== '' ? value : null;
}

function ok(credential: string, detail: string): CredentialStatus {
  return { ok: true, credential, detail, fix: null };
}

// ---------------------------------------------------------------- Claude

/** Checked in this order; the first one set is the credential in use. */
export const CLAUDE_ENV_KEYS = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN'] as const;

const ClaudeSettingsSchema = z.looseObject({ apiKeyHelper: z.string().optional().catch(undefined) });
const ClaudeOauthFileSchema = z.looseObject({
  claudeAiOauth: z.looseObject({ refreshToken: z.string().optional(), accessToken: z.string().optional() }).optional(),
});
const ClaudeAccountSchema = z.looseObject({ oauthAccount: z.looseObject({ accountUuid: z.string() }).optional() });

/** `~/.claude`, or `CLAUDE_CONFIG_DIR` when set. */
export function claudeConfigDir(env: Env, home: string): string {
  return envValue(env, 'CLAUDE_CONFIG_DIR') ?? join(home, '.claude');
}

/** The login saved by `/login`: identified by the account (stable across token refreshes) when known. */
function claudeLogin(env: Env, home: string): CredentialStatus | null {
  const path = join(claudeConfigDir(env, home), '.credentials.json');
  const text = readText(path);
  if (text === null) return null;
  const account = ClaudeAccountSchema.safeParse(readJson(join(home, '.claude.json')));
  const oauth = ClaudeOauthFileSchema.safeParse(readJson(path));
  const tokens = oauth.success ? oauth.data.claudeAiOauth : undefined;
  const identity =
    (account.success ? account.data.oauthAccount?.accountUuid : undefined) ?? tokens?.refreshToken ?? tokens?.accessToken ?? text;
  return ok(fingerprint('file:.claude/.credentials.json', identity), `logged in (${path})`);
}

/**
 * Whether Claude Code can authenticate: an API key or token in the environment, an `apiKeyHelper`
 * in settings.json, or a saved `/login` (`.credentials.json`).
 */
export function claudeCredentialStatus(env: Env, home: string): CredentialStatus {
  for (const name of CLAUDE_ENV_KEYS) {
    const value = envValue(env, name);
    if (value) return ok(fingerprint(`env:${name}`, value), `${name} is set`);
  }
  const settingsPath = join(claudeConfigDir(env, home), 'settings.json');
  const settings = ClaudeSettingsSchema.safeParse(readJson(settingsPath));
  const helper = settings.success ? settings.data.apiKeyHelper : undefined;
  if (helper) return ok(fingerprint('settings:apiKeyHelper', helper), `apiKeyHelper in ${settingsPath}`);
  const login = claudeLogin(env, home);
  if (login) return login;
  return {
    ok: false,
    credential: 'none',
    detail: `no Claude credential: none of ${CLAUDE_ENV_KEYS.join(', ')} is set, no apiKeyHelper in ${settingsPath}, no ${join(claudeConfigDir(env, home), '.credentials.json')}`,
    fix: 'export ANTHROPIC_API_KEY=… (or CLAUDE_CODE_OAUTH_TOKEN=… from `claude setup-token`), or run `claude` once and /login',
  };
}

// ---------------------------------------------------------------- Codex

export const CODEX_ENV_KEYS = ['CODEX_API_KEY', 'OPENAI_API_KEY'] as const;

const CodexAuthSchema = z.looseObject({
  OPENAI_API_KEY: z.string().nullish().catch(null),
  tokens: z
    .looseObject({ account_id: z.string().nullish(), refresh_token: z.string().nullish(), access_token: z.string().nullish() })
    .nullish()
    .catch(null),
});

/** `~/.codex`, or `CODEX_HOME` when set. */
export function codexHome(env: Env, home: string): string {
  return envValue(env, 'CODEX_HOME') ?? join(home, '.codex');
}

/** The provider config.toml selects (via `profile` when set) and that provider's table. */
export function codexProvider(env: Env, home: string): { name: string; settings: ReadonlyMap<string, string> } {
  const tables = parseTomlLite(readText(join(codexHome(env, home), 'config.toml')) ?? '');
  const top = tables.get('') ?? new Map<string, string>();
  const profile = top.get('profile');
  const fromProfile = profile ? tables.get(`profiles.${profile}`)?.get('model_provider') : undefined;
  const name = fromProfile ?? top.get('model_provider') ?? 'openai';
  return { name, settings: tables.get(`model_providers.${name}`) ?? new Map() };
}

function codexLogin(env: Env, home: string): CredentialStatus | null {
  const path = join(codexHome(env, home), 'auth.json');
  const text = readText(path);
  if (text === null) return null;
  const auth = CodexAuthSchema.safeParse(readJson(path));
  const data = auth.success ? auth.data : null;
  const identity = data?.OPENAI_API_KEY ?? data?.tokens?.account_id ?? data?.tokens?.refresh_token ?? text;
  return ok(fingerprint('file:.codex/auth.json', identity), `logged in (${path})`);
}

const CODEX_FIX = 'export OPENAI_API_KEY=… (or CODEX_API_KEY=…), or run `codex login`';

/**
 * Whether Codex can authenticate. A custom `model_provider` with an `env_key` needs exactly that
 * variable (OPENAI_API_KEY does not help it); otherwise an API key variable or `auth.json` is needed.
 */
export function codexCredentialStatus(env: Env, home: string): CredentialStatus {
  const provider = codexProvider(env, home);
  const envKey = provider.settings.get('env_key');
  if (provider.name !== 'openai' && envKey) {
    const value = envValue(env, envKey);
    if (value) return ok(fingerprint(`env:${envKey}`, value), `${envKey} is set (model_provider "${provider.name}")`);
    return {
      ok: false,
      credential: 'none',
      detail: `config.toml selects model_provider "${provider.name}", which reads its key from ${envKey}, and it is not set`,
      fix: `export ${envKey}=… (the key for model_provider "${provider.name}" in ${join(codexHome(env, home), 'config.toml')})`,
    };
  }
  if (provider.name !== 'openai' && provider.settings.get('requires_openai_auth') !== 'true') {
    return ok(`config:model_provider=${provider.name}`, `model_provider "${provider.name}" needs no key`);
  }
  for (const name of CODEX_ENV_KEYS) {
    const value = envValue(env, name);
    if (value) return ok(fingerprint(`env:${name}`, value), `${name} is set`);
  }
  return (
    codexLogin(env, home) ?? {
      ok: false,
      credential: 'none',
      detail: `no Codex credential: neither ${CODEX_ENV_KEYS.join(' nor ')} is set and there is no ${join(codexHome(env, home), 'auth.json')}`,
      fix: CODEX_FIX,
    }
  );
}
