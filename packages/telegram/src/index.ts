/** `@flotilla/telegram` — the Telegram bot for a cb daemon or a mesh hub. */
export {};
