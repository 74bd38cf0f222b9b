import type { MiddlewareHandler } from 'hono';
import { generateToken, TOKEN_COOKIE } from '@flotilla/kit/http';
import { tokensEqual } from '@flotilla/kit/http';

/**
 * Tokens minted by `cb serve`, held only in the daemon's memory: the printed URL carries a link
 * token, never the long-lived token from the token file. A link token works as a Bearer token
 * until a browser trades it for a cookie; then it is spent, and the cookie carries a token of its
 * own. All of them end when the daemon stops.
 */
export interface SessionTokens {
  /** A new link token (for the URL `cb serve` prints). */
  issue(): string;
  /** Spends a link token and mints the cookie's token; null when `token` is not a live link token. */
  exchange(token: string): string | null;
  all(): readonly string[];
}

export function createSessionTokens(): SessionTokens {
  let links: string[] = [];
  const cookies: string[] = [];
  let all: string[] = [];
  const refresh = () => {
    all = [...links, ...cookies];
  };
  return {
    issue() {
      const token = generateToken();
      links.push(token);
      refresh();
      return token;
    },
    exchange(token) {
      if (!links.some((link) => tokensEqual(link, token))) return null;
      links = links.filter((link) => !tokensEqual(link, token));
      const cookie = generateToken();
      cookies.push(cookie);
      refresh();
      return cookie;
    },
    all: () => all,
  };
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
    const cookie = sessions.exchange(token) ?? (tokensEqual(token, ownerToken) ? sessions.exchange(sessions.issue()) : null);
    if (cookie === null) return next();
    const url = new URL(c.req.url);
    url.searchParams.delete('token');
    c.header('set-cookie', `${TOKEN_COOKIE}=${cookie}; HttpOnly; SameSite=Strict; Path=/`);
    return c.redirect(url.pathname + url.search, 302);
  };
}
