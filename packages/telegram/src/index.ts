/** `@flotilla/telegram` — the Telegram bot (grammY) for a cb daemon or a mesh hub. */
export { createTelegramBot, ALLOWED_UPDATES } from './bot/create-bot.js';
export type { TelegramBot, TelegramBotOptions } from './bot/create-bot.js';
export { loadTelegramConfig, writeTelegramConfig, startProblem, parseUserList, TelegramConfigSchema, TelegramConfigFileSchema } from './config/config.js';
export type { TelegramConfig, TelegramConfigFile, ConfigResult, WebhookConfig, TranscriptionConfig } from './config/config.js';
export { resolveHome, telegramPaths } from './config/paths.js';
export type { TelegramPaths } from './config/paths.js';
export { acquirePollerLock, PollerLockedError } from './config/lock.js';
export { findServer } from './config/server.js';
export type { FlotillaServer } from './config/server.js';
export type { Transcriber } from './voice/index.js';
