/**
 * `createTelegramBot`: the grammY bot over a Flotilla client. The allowlist runs first (anyone
 * else's updates, and updates from group chats, are dropped and logged without their content), then duplicate update ids are
 * dropped, then one Composer per feature, each behind an error boundary that answers in words.
 */
import { autoRetry } from '@grammyjs/auto-retry';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import createDebug from 'debug';
import { Bot, type BotError, type Context } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { FlotillaClient, Transport } from '@flotilla/protocol';
import { telegramPaths } from '../config/paths.js';
import { voiceComposer, type Transcriber } from '../voice/index.js';
import { describeError, redact } from './errors.js';
import { callbacksComposer } from './features/callbacks.js';
import { fleetComposer } from './features/fleet.js';
import { inboxComposer } from './features/inbox.js';
import { jobsComposer } from './features/jobs.js';
import { dispatchText, replyRoutingComposer } from './features/reply-routing.js';
import { sessionsComposer } from './features/sessions.js';
import { createNotifier, followEvents } from './notifier.js';
import { createPendingPrompts } from './pending.js';
import { createServerAccess } from './server-access.js';
import { errorHtml, HTML, type FeatureDeps } from './shared.js';
import { loadBotState, type BotState } from './state.js';

const debug = createDebug('bot:telegram');

/** Updates the bot asks Telegram for; anything else is never delivered. */
export const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

export interface TelegramBotOptions {
  /** The BotFather token. Never logged, never sent anywhere but Telegram. */
  token: string;
  /** Telegram user ids allowed to use the bot; must not be empty. */
  allowedUsers: number[];
  client: FlotillaClient;
  /** A self-hosted Bot API server (or a fake one in tests); default https://api.telegram.org. */
  apiRoot?: string;
  /** FLOTILLA_HOME: where `telegram-state.json` lives. */
  home: string;
  transcriber?: Transcriber;
  /** Where the bot's log lines go (default: the `bot:telegram` debug namespace). */
  log?: (line: string) => void;
  /** The server is a mesh hub (hosts, the board, dispatch to `@host`). */
  isHub?: boolean;
  /** The client's transport: the board, the fleet's hosts and `@host` dispatch need it. */
  transport?: Transport;
  /** Skips `getMe` on start (tests, or a caller that already asked). */
  botInfo?: UserFromGetMe;
}

export interface TelegramBot {
  bot: Bot;
  /** Loads the state, asks getMe, follows the server's events and (unless `polling: false`, for a webhook) long-polls. */
  start(options?: { polling?: boolean }): Promise<void>;
  /** Stops polling and the event stream, and saves the state. */
  stop(): Promise<void>;
  /** Settles when polling ends: resolves after `stop()`, rejects when Telegram refuses (e.g. 409, another poller). */
  finished(): Promise<void>;
}

/**
 * @example
 * const telegram = createTelegramBot({ token, allowedUsers: [12345], client, home });
 * await telegram.start();
 */
export function createTelegramBot(options: TelegramBotOptions): TelegramBot {
  if (options.allowedUsers.length === 0) throw new Error('refusing to start a Telegram bot with an empty allowlist: run `cb-telegram setup` or set TELEGRAM_ALLOWED_USERS');
  const secrets = [options.token];
  const rawLog = options.log ?? ((line: string) => debug(line));
  const log = (line: string): void => rawLog(redact(line, secrets));
  const bot = new Bot(options.token, { botInfo: options.botInfo, client: options.apiRoot ? { apiRoot: options.apiRoot } : {} });
  bot.api.config.use(apiThrottler());
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 300 }));

  let state: BotState | null = null;
  const ready = loadBotState(telegramPaths(options.home).state, log).then((loaded) => (state = loaded));
  const deps: FeatureDeps = {
    client: options.client,
    access: createServerAccess({ client: options.client, transport: options.transport, isHub: options.isHub ?? false }),
    state: () => {
      if (!state) throw new Error('the bot state is not loaded yet');
      return state;
    },
    pending: createPendingPrompts(),
    allowedUsers: options.allowedUsers,
    log,
    secrets,
  };

  installPipeline(bot, deps, ready, options);
  const events = new AbortController();
  let following: Promise<void> = Promise.resolve();
  let polling: Promise<void> = Promise.resolve();

  return {
    bot,
    async start(startOptions = {}) {
      await ready;
      if (!bot.isInited()) await bot.init();
      const notifier = createNotifier({ api: bot.api, client: options.client, state: deps.state(), allowedUsers: options.allowedUsers, log });
      following = followEvents({ client: options.client, state: deps.state(), notifier, signal: events.signal, log });
      if (startOptions.polling === false) return;
      await new Promise<void>((resolve, reject) => {
        polling = bot.start({ allowed_updates: [...ALLOWED_UPDATES], onStart: () => resolve() });
        polling.catch(reject);
      });
      log(`@${bot.botInfo.username} is polling for ${options.allowedUsers.length} allowed user(s)`);
    },
    async stop() {
      events.abort();
      if (bot.isRunning()) await bot.stop();
      await following;
      await ready;
      await deps.state().flush();
    },
    finished: () => polling,
  };
}

function installPipeline(bot: Bot, deps: FeatureDeps, ready: Promise<unknown>, options: TelegramBotOptions): void {
  const allowed = new Set(options.allowedUsers);
  bot.use(async (ctx, next) => {
    const userId = ctx.from?.id;
    if (userId === undefined || !allowed.has(userId)) {
      deps.log(`ignored update ${ctx.update.update_id} (${updateType(ctx)}) from ${userId === undefined ? 'no user' : `user ${userId}`}: not on the allowlist`);
      return;
    }
    // Results and screens are for the allowed person only, never for the others in a group.
    if (ctx.chat && ctx.chat.type !== 'private') {
      deps.log(`ignored update ${ctx.update.update_id} (${updateType(ctx)}) from user ${userId}: in a ${ctx.chat.type} chat, not a private one`);
      return;
    }
    await next();
  });
  bot.use(async (ctx, next) => {
    await ready;
    if (!deps.state().claimUpdate(ctx.update.update_id)) {
      deps.log(`update ${ctx.update.update_id} was already handled; skipped`);
      return;
    }
    await next();
  });
  const boundary = async (error: BotError<Context>): Promise<void> => reportError(error, deps);
  // Voice first: it takes its own `v:` buttons and, after Edit, the next plain message.
  bot.errorBoundary(boundary, voiceComposer({ transcriber: options.transcriber ?? null, dispatch: (ctx, text, options) => dispatchText(ctx, deps, text, options) }));
  bot.errorBoundary(boundary, fleetComposer(deps));
  bot.errorBoundary(boundary, jobsComposer(deps));
  bot.errorBoundary(boundary, sessionsComposer(deps));
  bot.errorBoundary(boundary, inboxComposer(deps));
  bot.errorBoundary(boundary, callbacksComposer(deps));
  bot.errorBoundary(boundary, replyRoutingComposer(deps));
  bot.catch((error) => reportError(error, deps));
}

/** Tells the user what failed, in words (never a stack, never a secret), and logs it. */
async function reportError(error: BotError<Context>, deps: FeatureDeps): Promise<void> {
  const words = describeError(error.error);
  deps.log(`update ${error.ctx.update.update_id} (${updateType(error.ctx)}) failed: ${words.message}`);
  if (!error.ctx.chat) return;
  try {
    await error.ctx.api.sendMessage(error.ctx.chat.id, errorHtml(error.error, deps.secrets), HTML);
  } catch (sendError) {
    deps.log(`could not report the failure to chat ${error.ctx.chat.id}: ${describeError(sendError).message}`);
  }
}

/** `message`, `callback_query`, …: what kind of update, never what it says. */
function updateType(ctx: Context): string {
  return Object.keys(ctx.update).find((key) => key !== 'update_id') ?? 'unknown';
}
