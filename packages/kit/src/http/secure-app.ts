import type { IncomingMessage } from 'node:http';
import { Hono, type Context, type Env, type MiddlewareHandler } from 'hono';
import type { BlankEnv } from 'hono/types';
import { KitError } from '../internal/errors.js';
import {
  bearerToken,
  cookieValue,
  isHostAllowed,
  isOriginAllowed,
  normalizeOrigin,
  parseHost,
  tokensEqual,
  type HostPattern,
} from './request-guards.js';

/** Name of the cookie a browser may carry the token in. */
export const TOKEN_COOKIE = 'flotilla_token';

export type SecureAppErrorCode = 'HTTP_TOKEN_REQUIRED' | 'HTTP_INVALID_HOST_PATTERN';

/** Error codes of the responses the guard sends; they match `@flotilla/protocol`'s wire codes. */
export type GuardErrorCode = 'FORBIDDEN_HOST' | 'FORBIDDEN_ORIGIN' | 'UNAUTHORIZED';

export interface SecureAppOptions {
  /** The shared secret; required when `requireToken`. */
  token?: string;
  /**
   * Allowed `Host` values, `host:port` (exact) or `host` (any port). Default: any port of
   * `127.0.0.1`, `localhost` or `[::1]`. Requests over a unix socket may always say `localhost`.
   */
  allowedHosts?: string[];
  /** Extra allowed `Origin`s (e.g. `http://localhost:5173` for a dev server). Same-origin is always allowed. */
  allowedOrigins?: string[];
  /**
   * More tokens accepted besides `token`, read on every request (e.g. session tokens minted by
   * `cb serve`, valid until the process stops).
   */
  extraTokens?: () => Iterable<string>;
  /** Require the token (Bearer header, `?token=` or the `flotilla_token` cookie) outside `publicPaths`. */
  requireToken: boolean;
  /** Paths exempt from the token (never from the Host and Origin checks). Default `['/health']`. */
  publicPaths?: string[];
  /**
   * Skip the token for requests over a unix socket (default true): the socket is mode 0600, so
   * reaching it already proves who you are. Host and Origin are checked regardless.
   */
  trustUnixSocket?: boolean;
  /**
   * The HTML a browser gets instead of the JSON error when it asks for a page (GET, `Accept:
   * text/html`) and is refused: say what happened and how to get in. Default: the JSON error.
   */
  deniedPage?: (code: GuardErrorCode, message: string) => string;
}

type Arrival = 'tcp' | 'unix' | 'in-process';

/** How the request reached us: node-server passes the `IncomingMessage` in `env.incoming`. */
function arrivalOf(c: Context): Arrival {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const socket = incoming?.socket;
  if (socket === undefined) return 'in-process';
  return typeof socket.remoteAddress === 'string' ? 'tcp' : 'unix';
}

function deny(c: Context, status: 401 | 403, code: GuardErrorCode, message: string, page?: SecureAppOptions['deniedPage']): Response {
  if (status === 401) c.header('WWW-Authenticate', 'Bearer realm="flotilla"');
  const wantsPage = c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html');
  if (page && wantsPage) return c.html(page(code, message), status);
  return c.json({ error: { code, message } }, status);
}

/**
 * The guard in front of every Flotilla HTTP API: Host allowlist (DNS rebinding), Origin check
 * (cross-site requests and WebSocket upgrades) and the token, in that order.
 *
 * @example app.use('*', createSecurityMiddleware({ token, requireToken: true }));
 */
export function createSecurityMiddleware(options: SecureAppOptions): MiddlewareHandler {
  const token = options.token ?? '';
  if (options.requireToken && token === '') {
    throw new KitError<SecureAppErrorCode>('HTTP_TOKEN_REQUIRED', 'requireToken is set but no token was given');
  }
  const hosts = options.allowedHosts?.map(toHostPattern);
  const origins = new Set((options.allowedOrigins ?? []).map(normalizeOrigin));
  const publicPaths = new Set(options.publicPaths ?? ['/health']);
  const trustUnixSocket = options.trustUnixSocket ?? true;

  return async (c, next) => {
    const arrival = arrivalOf(c);
    const host = c.req.header('host');
    if (!hostAccepted(host, arrival, hosts)) {
      return deny(c, 403, 'FORBIDDEN_HOST', `Host ${JSON.stringify(host ?? '')} is not allowed; use 127.0.0.1 or localhost`, options.deniedPage);
    }
    const origin = c.req.header('origin');
    if (!isOriginAllowed(origin, host, origins)) {
      return deny(c, 403, 'FORBIDDEN_ORIGIN', `cross-origin request from ${JSON.stringify(origin)} refused`, options.deniedPage);
    }
    const exempt = publicPaths.has(c.req.path) || (trustUnixSocket && arrival === 'unix');
    if (options.requireToken && !exempt && !hasValidToken(c, [token, ...(options.extraTokens?.() ?? [])])) {
      return deny(c, 401, 'UNAUTHORIZED', 'missing or wrong token: send "Authorization: Bearer <token>" (the token file is in FLOTILLA_HOME)', options.deniedPage);
    }
    await next();
    return undefined;
  };
}

/**
 * A hono app with `createSecurityMiddleware` installed first. Add routes, `onError` and the rest.
 *
 * @example
 * const app = createSecureApp<AppEnv>({ token, requireToken: true });
 * app.get('/health', (c) => c.json({ pid: process.pid }));
 */
export function createSecureApp<TEnv extends Env = BlankEnv>(options: SecureAppOptions): Hono<TEnv> {
  const app = new Hono<TEnv>();
  app.use('*', createSecurityMiddleware(options));
  return app;
}

function toHostPattern(value: string): HostPattern {
  const pattern = parseHost(value);
  if (!pattern) throw new KitError<SecureAppErrorCode>('HTTP_INVALID_HOST_PATTERN', `invalid allowedHosts entry ${JSON.stringify(value)}`);
  return pattern;
}

function hostAccepted(host: string | undefined, arrival: Arrival, allowlist: HostPattern[] | undefined): boolean {
  // Browsers always send Host; only local non-browser clients (unix socket, in-process) may omit it.
  if (host === undefined || host === '') return arrival !== 'tcp';
  if (arrival === 'unix' && host.trim().toLowerCase() === 'localhost') return true;
  return isHostAllowed(host, allowlist);
}

function hasValidToken(c: Context, accepted: readonly string[]): boolean {
  const candidates = [bearerToken(c.req.header('authorization')), c.req.query('token'), cookieValue(c.req.header('cookie'), TOKEN_COOKIE)];
  let ok = false;
  for (const candidate of candidates) {
    // No short-circuit: every candidate is compared, so timing does not reveal which one matched.
    for (const expected of accepted) if (expected !== '' && candidate !== undefined && tokensEqual(candidate, expected)) ok = true;
  }
  return ok;
}

/**
 * Whether the request proves the holder of `token` itself, not merely some accepted token: it came
 * over the unix socket (mode 0600: the owner, when `trustUnixSocket`, the default), or it carries
 * `token` as a Bearer header or `?token=`. A cookie never counts (browsers send it ambiently), nor
 * do the `extraTokens` minted for viewers. For actions a read-only viewer must not take, such as
 * typing into a terminal.
 */
export function hasOwnerToken(c: Context, token: string, options: { trustUnixSocket?: boolean } = {}): boolean {
  if ((options.trustUnixSocket ?? true) && arrivalOf(c) === 'unix') return true;
  if (token === '') return false;
  let ok = false;
  for (const candidate of [bearerToken(c.req.header('authorization')), c.req.query('token')]) {
    if (candidate !== undefined && tokensEqual(candidate, token)) ok = true;
  }
  return ok;
}
