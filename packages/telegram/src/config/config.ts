/**
 * `$FLOTILLA_HOME/telegram.json` (0600) and its environment overrides. Loading returns
 * `{ ok, value | issues }`; a file that does not parse is reported with its path, never emptied.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '@flotilla/kit/fs';
import { telegramPaths, type Env } from './paths.js';

/** A BotFather token: the bot's numeric id, a colon, then the secret part. */
export const BotTokenSchema = z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, 'not a bot token (BotFather gives one like 123456789:AAH…)');
/** A Telegram user id. */
export const UserIdSchema = z.number().int().positive();
/** Telegram's `secret_token`: 1–256 of A–Z, a–z, 0–9, `_` and `-`. */
export const WebhookSecretSchema = z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'the webhook secret is 1-256 letters, digits, _ and -');

export const WebhookConfigSchema = z.object({
  /** The public https URL Telegram posts updates to (it must reach this process's port). */
  url: z.string().url(),
  secret: WebhookSecretSchema,
  port: z.number().int().min(1).max(65535),
  /** The address the webhook server binds (default 127.0.0.1: a reverse proxy sits in front). */
  host: z.string().min(1).optional(),
});
export type WebhookConfig = z.infer<typeof WebhookConfigSchema>;

export const TranscriptionConfigSchema = z.object({
  /** An OpenAI-compatible `/v1/audio/transcriptions` endpoint. */
  url: z.string().url(),
  apiKey: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
});
export type TranscriptionConfig = z.infer<typeof TranscriptionConfigSchema>;

/** The file as stored: everything optional except what setup always writes, so env can fill the rest. */
export const TelegramConfigFileSchema = z.object({
  token: BotTokenSchema.optional(),
  allowedUsers: z.array(UserIdSchema).default([]),
  apiRoot: z.string().url().optional(),
  mode: z.enum(['polling', 'webhook']).default('polling'),
  webhook: WebhookConfigSchema.optional(),
  transcription: TranscriptionConfigSchema.optional(),
});
export type TelegramConfigFile = z.input<typeof TelegramConfigFileSchema>;

/** The configuration the bot runs with: the file, then the environment over it. */
export const TelegramConfigSchema = TelegramConfigFileSchema.extend({ token: BotTokenSchema }).superRefine((config, ctx) => {
  if (config.mode === 'webhook' && !config.webhook) ctx.addIssue({ code: 'custom', path: ['webhook'], message: 'webhook mode needs webhook: {url, secret, port}' });
});
export type TelegramConfig = z.infer<typeof TelegramConfigSchema>;

export type ConfigResult = { ok: true; value: TelegramConfig; file: string; fileExists: boolean } | { ok: false; issues: string[]; file: string };

/** The stored file: `null` when there is none, issues when it is not valid JSON or not the schema. */
export async function readConfigFile(path: string): Promise<{ ok: true; value: z.infer<typeof TelegramConfigFileSchema> | null } | { ok: false; issues: string[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, value: null };
    return { ok: false, issues: [`${path} cannot be read: ${(error as Error).message}`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, issues: [`${path} is not valid JSON (${(error as Error).message}); it was left as it is — repair it or move it aside and run \`cb-telegram setup\``] };
  }
  const parsed = TelegramConfigFileSchema.safeParse(json);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((issue) => `${path}: ${issuePath(issue.path)}${issue.message}`) };
  return { ok: true, value: parsed.data };
}

/**
 * Loads `telegram.json` and applies `TELEGRAM_BOT_TOKEN`, `TELEGRAM_ALLOWED_USERS` (comma-separated
 * ids), `TELEGRAM_API_ROOT` and `TELEGRAM_TRANSCRIBE_URL` / `_KEY` / `_MODEL` over it.
 *
 * @example
 * const loaded = await loadTelegramConfig({ home, env: process.env });
 * if (!loaded.ok) throw new Error(loaded.issues.join('\n'));
 */
export async function loadTelegramConfig(options: { home: string; env?: Env }): Promise<ConfigResult> {
  const file = telegramPaths(options.home).config;
  const stored = await readConfigFile(file);
  if (!stored.ok) return { ok: false, issues: stored.issues, file };
  const env = options.env ?? process.env;
  const overrides = environmentOverrides(env);
  if (!overrides.ok) return { ok: false, issues: overrides.issues, file };
  const merged = { ...(stored.value ?? {}), ...overrides.value };
  if (overrides.transcription) merged.transcription = { ...stored.value?.transcription, ...overrides.transcription } as TranscriptionConfig;
  if (merged.token === undefined) {
    return { ok: false, file, issues: [`no bot token: run \`cb-telegram setup\` (writes ${file}) or set TELEGRAM_BOT_TOKEN`] };
  }
  const parsed = TelegramConfigSchema.safeParse(merged);
  if (!parsed.success) return { ok: false, file, issues: parsed.error.issues.map((issue) => `${issuePath(issue.path)}${issue.message}`) };
  return { ok: true, value: parsed.data, file, fileExists: stored.value !== null };
}

interface Overrides {
  token?: string;
  allowedUsers?: number[];
  apiRoot?: string;
}

function environmentOverrides(env: Env): { ok: true; value: Overrides; transcription: Partial<TranscriptionConfig> | null } | { ok: false; issues: string[] } {
  const value: Overrides = {};
  if (env.TELEGRAM_BOT_TOKEN) value.token = env.TELEGRAM_BOT_TOKEN.trim();
  if (env.TELEGRAM_API_ROOT) value.apiRoot = env.TELEGRAM_API_ROOT.trim();
  if (env.TELEGRAM_ALLOWED_USERS !== undefined && env.TELEGRAM_ALLOWED_USERS.trim() !== '') {
    const users = parseUserList(env.TELEGRAM_ALLOWED_USERS);
    if (!users.ok) return { ok: false, issues: [`TELEGRAM_ALLOWED_USERS: ${users.issue}`] };
    value.allowedUsers = users.value;
  }
  const transcription: Partial<TranscriptionConfig> = {};
  if (env.TELEGRAM_TRANSCRIBE_URL) transcription.url = env.TELEGRAM_TRANSCRIBE_URL.trim();
  if (env.TELEGRAM_TRANSCRIBE_KEY) transcription.apiKey = env.TELEGRAM_TRANSCRIBE_KEY.trim();
  if (env.TELEGRAM_TRANSCRIBE_MODEL) transcription.model = env.TELEGRAM_TRANSCRIBE_MODEL.trim();
  return { ok: true, value, transcription: Object.keys(transcription).length > 0 ? transcription : null };
}

/** `"123, 456"` → `[123, 456]`; anything that is not a positive integer id is refused, naming it. */
export function parseUserList(text: string): { ok: true; value: number[] } | { ok: false; issue: string } {
  const ids: number[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const id = UserIdSchema.safeParse(/^\d+$/.test(part) ? Number(part) : Number.NaN);
    if (!id.success) return { ok: false, issue: `${JSON.stringify(part)} is not a Telegram user id (digits only, comma-separated)` };
    if (!ids.includes(id.data)) ids.push(id.data);
  }
  return { ok: true, value: ids };
}

/** Why the bot must not start with this configuration, or null: an empty allowlist lets nobody in. */
export function startProblem(config: TelegramConfig, file: string): string | null {
  if (config.allowedUsers.length > 0) return null;
  return `no allowed users, so the bot would answer nobody; run \`cb-telegram setup\` (records your user id in ${file}) or set TELEGRAM_ALLOWED_USERS=<your numeric id>`;
}

/** Writes `telegram.json` atomically with mode 0600 (it holds the bot token). */
export async function writeTelegramConfig(home: string, config: TelegramConfigFile): Promise<string> {
  const file = telegramPaths(home).config;
  const value = TelegramConfigFileSchema.parse(config);
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  return file;
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.length > 0 ? `${path.map(String).join('.')}: ` : '';
}
