import { createHash, timingSafeEqual } from 'node:crypto';

/** Hostnames that mean "this machine over loopback" when no explicit allowlist is given. */
const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface HostPattern {
  hostname: string;
  /** Undefined: any port. */
  port: string | undefined;
}

/** Splits `host[:port]` (IPv6 in brackets) into a lower-cased hostname and port. */
export function parseHost(value: string): HostPattern | undefined {
  const host = value.trim().toLowerCase();
  if (host === '') return undefined;
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host);
  if (!match) return undefined;
  return { hostname: match[1]!, port: match[2] };
}

/**
 * Host-header rule: with no allowlist, any port of a loopback name; with one, each entry
 * `host:port` matches exactly and a bare `host` matches any port.
 */
export function isHostAllowed(host: string, allowlist: readonly HostPattern[] | undefined): boolean {
  const parsed = parseHost(host);
  if (!parsed) return false;
  if (allowlist === undefined) return LOOPBACK_HOSTNAMES.has(parsed.hostname);
  return allowlist.some((rule) => rule.hostname === parsed.hostname && (rule.port === undefined || rule.port === parsed.port));
}

/** Lower-cases and drops a trailing slash, as browsers send `Origin` (`http://127.0.0.1:8123`). */
export function normalizeOrigin(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}

/**
 * `Origin` rule: absent is fine (not a browser, or a same-origin navigation); otherwise it must be
 * in the allowlist or be http(s) on exactly the host the request was sent to.
 */
export function isOriginAllowed(origin: string | undefined, host: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  const normalized = normalizeOrigin(origin);
  if (allowed.has(normalized)) return true;
  if (host === undefined || normalized === 'null') return false;
  let url: URL;
  try {
    url = new URL(normalized);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return url.host === host.trim().toLowerCase();
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time comparison that also hides the expected token's length. */
export function tokensEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** `Authorization: Bearer <token>` → the token. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer[ \t]+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** The value of one cookie from a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}
