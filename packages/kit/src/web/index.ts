/**
 * `@flotilla/kit/web` — what a Flotilla server needs to serve the dashboard: its built page from
 * memory (with a same-origin CSP), the one-time sign-in links and the browsers' cookie tokens,
 * and optional packages found at run time.
 */
export { DASHBOARD_CSP, dashboardRoutes, loadStaticSite } from './static-site.js';
export type { StaticSite } from './static-site.js';
export { BROWSER_TOKEN_TTL_MS, createSessionTokens, tokenFingerprint, tokenToCookie } from './browser-tokens.js';
export type { SessionTokens } from './browser-tokens.js';
export { findAddonBin, findDashboardAssets, loadAddon } from './addons.js';
export { findTelegramAddon, TELEGRAM_BIN, TELEGRAM_PACKAGE } from './telegram-addon.js';
export type { TelegramAddon, TelegramAddonOptions } from './telegram-addon.js';
