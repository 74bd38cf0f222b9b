/**
 * The `[user@]host[:port]` forms OpenSSH accepts: on the command line, in ProxyJump lists and
 * as `ssh://` URIs (misc.c's parse_user_host_port, hpdelim and parse_ssh_uri). An IPv6 address
 * with a port is written `[::1]:2222`; a bare IPv6 address carries no port.
 */

/** One `[user@]host[:port]` as written; an absent user or port is left to config and defaults. */
export interface SshHostSpec {
  user?: string;
  hostname: string;
  port?: number;
}

const URI_PREFIX = 'ssh://';

/** A port as a2port() takes it: decimal 1–65535. */
export function parsePort(text: string): number | null {
  if (!/^[0-9]{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

/**
 * Parse `[user@]host[:port]` (or `host/port` when `slashDelimits`, as ProxyJump allows).
 * The user ends at the last `@`; a host in brackets may contain colons. Null when malformed.
 */
export function parseUserHostPort(text: string, slashDelimits = false): SshHostSpec | null {
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  if (user === '') return null;
  const hostPort = splitHostPort(text.slice(at + 1), slashDelimits);
  if (hostPort === null || hostPort.host === '') return null;
  const spec: SshHostSpec = { hostname: hostPort.host };
  if (user !== undefined) spec.user = user;
  if (hostPort.port !== undefined) {
    const port = parsePort(hostPort.port);
    if (port === null) return null;
    spec.port = port;
  }
  return spec;
}

function splitHostPort(text: string, slashDelimits: boolean): { host: string; port?: string } | null {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return null;
    const after = text.slice(close + 1);
    if (after === '') return { host: text.slice(1, close) };
    if (after[0] !== ':' && !(slashDelimits && after[0] === '/')) return null;
    return { host: text.slice(1, close), port: after.slice(1) };
  }
  const delimiter = slashDelimits ? /[:/]/ : /:/;
  const match = delimiter.exec(text);
  if (match === null) return { host: text };
  return { host: text.slice(0, match.index), port: text.slice(match.index + 1) };
}

/** Parse `ssh://[user@]host[:port][/]`; null when `text` is not such a URI or is malformed. */
export function parseSshUri(text: string): SshHostSpec | null {
  if (text.slice(0, URI_PREFIX.length).toLowerCase() !== URI_PREFIX) return null;
  const body = text.slice(URI_PREFIX.length).replace(/\/$/, '');
  if (body.includes('/')) return null;
  const spec = parseUserHostPort(body);
  if (spec?.user !== undefined) spec.user = decodeURIComponent(spec.user.split(';')[0] ?? '');
  return spec;
}

/**
 * A destination as a user types it for `mesh hosts add`: `alias`, `user@host`, `host:port`,
 * `[v6]:port`, a bare IPv6 address, or an `ssh://` URI. Null when malformed.
 */
export function parseTargetLiteral(text: string): SshHostSpec | null {
  if (text.slice(0, URI_PREFIX.length).toLowerCase() === URI_PREFIX) return parseSshUri(text);
  const at = text.lastIndexOf('@');
  const host = text.slice(at + 1);
  if (!host.startsWith('[') && host.split(':').length > 2) {
    if (at === 0) return null;
    return at > 0 ? { user: text.slice(0, at), hostname: host } : { hostname: host };
  }
  return parseUserHostPort(text);
}

/**
 * Parse a ProxyJump value as readconf.c's parse_jump() does: the raw text up to any `#`,
 * comma-separated hops, each an `ssh://` URI or `[user@]host[:port]`. `none` gives an empty
 * list. Null when any hop is malformed.
 */
export function parseProxyJump(raw: string): SshHostSpec[] | null {
  const text = (raw.split('#')[0] ?? '').trim();
  if (text.toLowerCase() === 'none') return [];
  const hops: SshHostSpec[] = [];
  for (const part of text.split(',')) {
    const hop = part.slice(0, URI_PREFIX.length).toLowerCase() === URI_PREFIX
      ? parseSshUri(part)
      : parseUserHostPort(part, true);
    if (hop === null) return null;
    hops.push(hop);
  }
  return hops;
}

/**
 * Write a hop back as `[user@]host[:port]`, bracketing hosts that contain a colon, so it can be
 * handed to `resolveSshTarget` (which resolves the hop through the config, as ssh does).
 */
export function formatHostSpec(spec: SshHostSpec): string {
  const host = spec.hostname.includes(':') ? `[${spec.hostname}]` : spec.hostname;
  const user = spec.user === undefined ? '' : `${spec.user}@`;
  const port = spec.port === undefined ? '' : `:${spec.port}`;
  return `${user}${host}${port}`;
}
