import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BrowserToken as BrowserTokenInfo } from '@flotilla/protocol';
import type { MiddlewareHandler } from 'hono';
import { writeFileAtomic } from '../fs/write-file-atomic.js';
import { tokensEqual } from '../http/request-guards.js';
import { TOKEN_COOKIE } from '../http/secure-app.js';
import { generateToken } from '../http/token.js';

/** A browser's cookie token lasts this long after the link that minted it was opened. */
export const BROWSER_TOKEN_TTL_MS = 30 * 24 * 3600_000;
/** Most browser tokens kept; the oldest go first. */
const MAX_BROWSER_TOKENS = 64;

interface BrowserToken {
  token: string;
  createdAt: string;
}

/**
 * Tokens minted by `cb serve` / `mesh serve`. The printed URL carries a link token, never the long-lived token of
 * the token file; link tokens live only in the daemon's memory and work once in a browser: opening
 * the link spends it and mints the browser's own cookie token. Cookie tokens are kept in
 * `browser-tokens.json` (0600, like the token file) for 30 days, so an open page carries on after
 * the server restarts.
 */
export interface SessionTokens {
  /** A new link token (for the URL `cb serve` prints). */
  issue(): string;
  /** Spends a link token and mints a cookie token; null when `token` is not a live link token. */
  exchange(token: string): Promise<string | null>;
  all(): readonly string[];
  /** The browsers' tokens by fingerprint; `current` marks the one `presented` (a request's cookie). */
  browsers(presented?: string): BrowserTokenInfo[];
  /** Signs a browser out; false when no token has this fingerprint. */
  revoke(id: string): Promise<boolean>;
}

/** A token's public name: the first 12 hex of its SHA-256. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

export function createSessionTokens(options: { file?: string; now?: () => number } = {}): SessionTokens {
  const now = options.now ?? Date.now;
  let links: string[] = [];
  let browsers = options.file ? readBrowserTokens(options.file, now()) : [];
  const live = () => browsers.filter((b) => now() - Date.parse(b.createdAt) < BROWSER_TOKEN_TTL_MS);
  /** Stored before it takes effect: a cookie the server cannot find after a restart is a broken page. */
  async function save(next: BrowserToken[]): Promise<void> {
    if (options.file) await writeFileAtomic(options.file, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
    browsers = next;
  }
  return {
    issue() {
      const token = generateToken();
      links.push(token);
      return token;
    },
    async exchange(token) {
      if (!links.some((link) => tokensEqual(link, token))) return null;
      links = links.filter((link) => !tokensEqual(link, token));
      const cookie = generateToken();
      await save([...live(), { token: cookie, createdAt: new Date(now()).toISOString() }].slice(-MAX_BROWSER_TOKENS));
      return cookie;
    },
    browsers(presented) {
      return live().map((b) => ({
        id: tokenFingerprint(b.token),
        createdAt: b.createdAt,
        expiresAt: new Date(Date.parse(b.createdAt) + BROWSER_TOKEN_TTL_MS).toISOString(),
        current: presented !== undefined && tokensEqual(b.token, presented),
      }));
    },
    async revoke(id) {
      const current = live();
      const kept = current.filter((b) => tokenFingerprint(b.token) !== id);
      if (kept.length === current.length) return false;
      await save(kept);
      return true;
    },
    // Read on every request: an expired browser token stops working without a restart.
    all: () => [...links, ...live().map((b) => b.token)],
  };
}

function readBrowserTokens(file: string, now: number): BrowserToken[] {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (b): b is BrowserToken =>
        typeof b?.token === 'string' && b.token.length >= 16 && typeof b.createdAt === 'string' && now - Date.parse(b.createdAt) < BROWSER_TOKEN_TTL_MS,
    );
  } catch {
    return [];
  }
}

/**
 * A browser that opened `…/?token=T` (already verified by the security middleware) gets a cookie
 * token (HttpOnly, SameSite=Strict) and is redirected to the same URL without T, so the token
 * leaves the address bar and history. A link token is spent by this; the token file's own token
 * is never put in a cookie (the cookie gets a minted token instead).
 */
export function tokenToCookie(sessions: SessionTokens, ownerToken: string): MiddlewareHandler {
  return async (c, next) => {
    const token = c.req.query('token');
    const wantsPage = c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html');
    if (token === undefined || !wantsPage) return next();
    const cookie = (await sessions.exchange(token)) ?? (tokensEqual(token, ownerToken) ? await sessions.exchange(sessions.issue()) : null);
    if (cookie === null) return next();
    const url = new URL(c.req.url);
    url.searchParams.delete('token');
    c.header('set-cookie', `${TOKEN_COOKIE}=${cookie}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${BROWSER_TOKEN_TTL_MS / 1000}`);
    return c.redirect(url.pathname + url.search, 302);
  };
}
