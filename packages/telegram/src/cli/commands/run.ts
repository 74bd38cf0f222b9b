/**
 * `cb-telegram` / `cb-telegram run`: loads the configuration (refusing an empty allowlist, exit 78),
 * finds the daemon or hub (`--server SOCKET|URL`, `--hub URL`, else FLOTILLA_HOME's sockets), takes the token's poller lock, and runs the bot — long polling, or with
 * `--webhook` an HTTP server on 127.0.0.1 (or the configured host) whose requests must carry
 * Telegram's secret-token header — until SIGINT / SIGTERM.
 */
import { createServer, type Server } from 'node:http';
import { webhookCallback } from 'grammy';
import { createTelegramBot, ALLOWED_UPDATES, type TelegramBot } from '../../bot/create-bot.js';
import { loadTelegramConfig, startProblem, type TelegramConfig, type WebhookConfig } from '../../config/config.js';
import { acquirePollerLock } from '../../config/lock.js';
import { findServer } from '../../config/server.js';
import { ensureHome } from '../../config/paths.js';
import { redact } from '../../bot/errors.js';
import { createTranscriber } from '../../voice/index.js';
import { ConfigError, printLine, type CliContext } from '../context.js';

export interface RunOptions {
  /** The daemon or hub: a unix socket path or an http(s) URL (`--server`, `--hub`). */
  server?: string;
  webhook: boolean;
}

export async function run(ctx: CliContext, options: RunOptions): Promise<void> {
  const config = await startableConfig(ctx);
  const secrets = [config.token, config.transcription?.apiKey, config.webhook?.secret];
  const log = (line: string): void => void ctx.streams.stderr.write(`${new Date().toISOString()} cb-telegram: ${redact(line, secrets)}\n`);
  // The lock first: a second instance says so at once, whatever state the server is in.
  await ensureHome(ctx.home);
  await using _lock = await acquirePollerLock(ctx.home, config.token);
  const server = await findServer({ home: ctx.home, env: ctx.env, server: options.server });
  const telegram = createTelegramBot({
    token: config.token,
    allowedUsers: config.allowedUsers,
    client: server.client,
    transport: server.transport,
    isHub: server.isHub,
    apiRoot: config.apiRoot,
    home: ctx.home,
    transcriber: config.transcription ? createTranscriber(config.transcription) : undefined,
    log,
  });
  log(`driving the ${server.isHub ? 'hub' : 'daemon'} ${server.capabilities.host} at ${server.where}`);
  const webhook = options.webhook || config.mode === 'webhook' ? requireWebhook(config) : null;
  const stopped = ctx.stopSignal();
  try {
    if (webhook) await runWebhook(telegram, webhook, stopped, log);
    else {
      await telegram.start();
      printLine(ctx.streams.stdout, `@${telegram.bot.botInfo.username} is running for ${config.allowedUsers.length} allowed user(s); Ctrl-C stops it`);
      // Polling ends on a signal, or when Telegram refuses it (409: another poller elsewhere) — then this rejects.
      const outcome = await Promise.race([stopped, telegram.finished().then(() => 'polling ended')]);
      log(`${outcome}: stopping`);
    }
  } finally {
    await telegram.stop();
  }
}

async function runWebhook(telegram: TelegramBot, webhook: WebhookConfig, stopped: Promise<string>, log: (line: string) => void): Promise<void> {
  const http = await serveWebhook(telegram, webhook);
  log(`@${telegram.bot.botInfo.username} receives updates at ${webhook.url} (listening on ${webhook.host ?? '127.0.0.1'}:${webhook.port})`);
  log(`${await stopped}: stopping`);
  await new Promise<void>((resolve) => http.close(() => resolve()));
}

async function startableConfig(ctx: CliContext): Promise<TelegramConfig> {
  const loaded = await loadTelegramConfig({ home: ctx.home, env: ctx.env });
  if (!loaded.ok) throw new ConfigError(loaded.issues.join('\n'), 'run `cb-telegram setup`');
  const problem = startProblem(loaded.value, loaded.file);
  if (problem) throw new ConfigError(problem);
  return loaded.value;
}

function requireWebhook(config: TelegramConfig): WebhookConfig {
  if (!config.webhook) throw new ConfigError('webhook mode needs webhook: {url, secret, port} in telegram.json', 'add it, or run without --webhook (long polling)');
  return config.webhook;
}

/**
 * Starts the webhook receiver and registers it with Telegram. grammY's callback refuses a request
 * whose `X-Telegram-Bot-Api-Secret-Token` is not the secret (401) before reading its update.
 */
export async function serveWebhook(telegram: TelegramBot, webhook: WebhookConfig): Promise<Server> {
  await telegram.start({ polling: false });
  const handle = webhookCallback(telegram.bot, 'http', { secretToken: webhook.secret });
  const server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(webhook.port, webhook.host ?? '127.0.0.1', () => resolve());
  });
  await telegram.bot.api.setWebhook(webhook.url, { secret_token: webhook.secret, allowed_updates: [...ALLOWED_UPDATES] });
  return server;
}
