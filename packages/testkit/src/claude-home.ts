import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyExtra, baseEnv } from './base-env.js';

export interface SeedClaudeHomeOptions {
  /** The key the CLI will see in `ANTHROPIC_API_KEY`; its last 20 characters are pre-approved. */
  apiKey?: string;
  /** A working directory to mark as trusted. */
  cwd?: string;
  /** More working directories to mark as trusted. */
  cwds?: string[];
  /** Pre-accept the bypass-permissions warning (`skipDangerousModePermissionPrompt`). Default true. */
  bypass?: boolean;
}

async function readJsonObject(file: string): Promise<Record<string, unknown>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Both the given path and its realpath, so a symlinked tmp dir (macOS) is trusted either way. */
async function withRealpaths(dirs: string[]): Promise<string[]> {
  const all = new Set<string>();
  for (const dir of dirs) {
    all.add(dir);
    all.add(await realpath(dir).catch(() => dir));
  }
  return [...all];
}

function approvedKeys(existing: Record<string, unknown>, apiKey: string | undefined): unknown {
  const previous = (existing.customApiKeyResponses ?? {}) as { approved?: string[]; rejected?: string[] };
  const approved = new Set(previous.approved ?? []);
  if (apiKey !== undefined) approved.add(apiKey.slice(-20));
  return { approved: [...approved], rejected: previous.rejected ?? [] };
}

/**
 * Seeds `<home>/.claude.json` and `<home>/.claude/settings.json` so that neither the onboarding,
 * the workspace-trust, the custom-API-key nor (with `bypass`) the bypass-mode dialog appears.
 * Merges into existing files, so it can be called again to trust more directories.
 *
 * @example
 * await seedClaudeHome(home, { apiKey: 'sk-ant-test', cwd: repo });
 */
export async function seedClaudeHome(home: string, options: SeedClaudeHomeOptions = {}): Promise<void> {
  const configFile = join(home, '.claude.json');
  const config = await readJsonObject(configFile);
  const projects = (config.projects ?? {}) as Record<string, Record<string, unknown>>;
  const dirs = [...(options.cwd === undefined ? [] : [options.cwd]), ...(options.cwds ?? [])];
  for (const dir of await withRealpaths(dirs)) {
    projects[dir] = {
      ...projects[dir],
      hasTrustDialogAccepted: true,
      hasCompletedProjectOnboarding: true,
      projectOnboardingSeenCount: 1,
    };
  }
  const next = {
    ...config,
    hasCompletedOnboarding: true,
    numStartups: Math.max(1, Number(config.numStartups ?? 0)),
    customApiKeyResponses: approvedKeys(config, options.apiKey),
    projects,
  };
  await mkdir(join(home, '.claude'), { recursive: true });
  await writeFile(configFile, `${JSON.stringify(next, null, 2)}\n`);
  const settingsFile = join(home, '.claude', 'settings.json');
  const settings = await readJsonObject(settingsFile);
  if (options.bypass ?? true) settings.skipDangerousModePermissionPrompt = true;
  await writeFile(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
}

export interface ClaudeEnvOptions {
  home: string;
  /** The fake's `url` (`http://127.0.0.1:PORT`), without `/v1`. */
  baseUrl: string;
  /** Sets `ANTHROPIC_API_KEY`. */
  apiKey?: string;
  /** Sets `CLAUDE_CODE_OAUTH_TOKEN` (a simulated subscription login). */
  oauthToken?: string;
  /** `CLAUDE_CODE_MAX_RETRIES` (default 0: fail at once). */
  maxRetries?: number;
  /** Added last; `undefined` values remove a variable. */
  extra?: Record<string, string | undefined>;
}

/**
 * A complete environment (not merged with `process.env`, so no key or `CLAUDECODE` variable of
 * the parent leaks in) for a fast, offline, deterministic Claude Code run against a fake.
 * With neither `apiKey` nor `oauthToken` the CLI is not logged in.
 *
 * @example
 * spawn(claudeBin(), ['-p', 'hi'], { env: claudeEnv({ home, baseUrl: api.url, apiKey: 'sk-ant-test' }) });
 */
export function claudeEnv(options: ClaudeEnvOptions): Record<string, string> {
  const env: Record<string, string> = {
    ...baseEnv(options.home),
    ANTHROPIC_BASE_URL: options.baseUrl,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_MAX_RETRIES: String(options.maxRetries ?? 0),
    // Lets bypassPermissions run as root; harmless otherwise.
    IS_SANDBOX: '1',
  };
  if (options.apiKey !== undefined) env.ANTHROPIC_API_KEY = options.apiKey;
  if (options.oauthToken !== undefined) env.CLAUDE_CODE_OAUTH_TOKEN = options.oauthToken;
  return applyExtra(env, options.extra);
}
