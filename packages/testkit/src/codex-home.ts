import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyExtra, baseEnv } from './base-env.js';

/** The env var the seeded provider reads its key from (sent as `Authorization: Bearer`). */
export const CODEX_KEY_ENV = 'FAKE_OPENAI_KEY';

export interface SeedCodexHomeOptions {
  /** The fake's `url` (`http://127.0.0.1:PORT`); `/v1` is appended unless already there. */
  baseUrl: string;
  /** Directories to mark `trust_level = "trusted"`. */
  cwds?: string[];
  /** Model name sent to the fake (default `gpt-fake`). */
  model?: string;
  /** Provider `request_max_retries` (default 1; Codex's own default is 4). */
  requestMaxRetries?: number;
  /** Provider `stream_max_retries` (default 1; Codex's own default is 5). */
  streamMaxRetries?: number;
  /** Provider `stream_idle_timeout_ms` (default 5000). */
  streamIdleTimeoutMs?: number;
}

/** A TOML basic string; JSON string escapes are valid TOML escapes for paths and URLs. */
function tomlString(value: string): string {
  return JSON.stringify(value);
}

function providerUrl(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}

async function trustedDirs(cwds: string[]): Promise<string[]> {
  const all = new Set<string>();
  for (const dir of cwds) {
    all.add(dir);
    all.add(await realpath(dir).catch(() => dir));
  }
  return [...all];
}

/**
 * Writes `<home>/.codex/config.toml` with a custom `fake` provider speaking plain HTTP SSE to
 * the fake (Codex ignores `OPENAI_BASE_URL`), small retry counts, and trust for `cwds`.
 * Overwrites any existing config.
 *
 * @example
 * await seedCodexHome(home, { baseUrl: api.url, cwds: [repo] });
 */
export async function seedCodexHome(home: string, options: SeedCodexHomeOptions): Promise<void> {
  const lines = [
    `model = ${tomlString(options.model ?? 'gpt-fake')}`,
    'model_provider = "fake"',
    '',
    '[model_providers.fake]',
    'name = "Fake"',
    `base_url = ${tomlString(providerUrl(options.baseUrl))}`,
    `env_key = ${tomlString(CODEX_KEY_ENV)}`,
    'wire_api = "responses"',
    `request_max_retries = ${options.requestMaxRetries ?? 1}`,
    `stream_max_retries = ${options.streamMaxRetries ?? 1}`,
    `stream_idle_timeout_ms = ${options.streamIdleTimeoutMs ?? 5000}`,
  ];
  for (const dir of await trustedDirs(options.cwds ?? [])) {
    lines.push('', `[projects.${tomlString(dir)}]`, 'trust_level = "trusted"');
  }
  await mkdir(join(home, '.codex'), { recursive: true });
  await writeFile(join(home, '.codex', 'config.toml'), `${lines.join('\n')}\n`);
}

export interface CodexEnvOptions {
  home: string;
  /** Sent to the fake as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Added last; `undefined` values remove a variable. */
  extra?: Record<string, string | undefined>;
}

/**
 * A complete environment (not merged with `process.env`) for Codex against a home seeded by
 * `seedCodexHome`. Spawn `codex exec` with stdin from /dev/null: a piped stdin blocks until EOF.
 *
 * @example
 * runProcess({ command: codexBin(), args: ['exec', '--json', 'hi'], cwd, env: codexEnv({ home, apiKey: 'sk-test' }) });
 */
export function codexEnv(options: CodexEnvOptions): Record<string, string> {
  const env = { ...baseEnv(options.home), [CODEX_KEY_ENV]: options.apiKey };
  return applyExtra(env, options.extra);
}
