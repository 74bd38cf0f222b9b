/**
 * Errors of the SSH link, in words. Check them with `isLinkError(err, code)`; transport requests
 * reject with kit's `DAEMON_UNAVAILABLE` instead, as a lone daemon's transport does.
 */
export type LinkErrorCode =
  /** The link is not up (or went down while the operation ran). */
  | 'LINK_DOWN'
  /** The host key is unknown, changed or revoked (`status().hostKey` says which); `ready()` rejects so. */
  | 'LINK_REFUSED'
  /** `close()` was called. */
  | 'LINK_CLOSED'
  /** An `exec` ran past its `timeoutMs` and was killed. */
  | 'EXEC_TIMEOUT'
  /** ssh2 refused to open a channel (exec, sftp, forwarding). */
  | 'CHANNEL_FAILED'
  /** An SFTP transfer failed. */
  | 'SFTP_FAILED';

const BRAND = Symbol.for('flotilla.LinkError');

export class LinkError extends Error {
  readonly [BRAND] = true;
  readonly code: LinkErrorCode;
  constructor(code: LinkErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LinkError';
    this.code = code;
  }
}

export function isLinkError(value: unknown, code?: LinkErrorCode): value is LinkError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (value as LinkError).code === code;
}

/** ssh2's and node's connection errors, said for a person (`where` is `user@host:port`). */
export function describeConnectError(error: unknown, where: string, timeoutMs: number): string {
  const { code, message, level } = error as { code?: string; message?: string; level?: string };
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${where} (is sshd running?)`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where} is unreachable (${code})`;
    case 'ETIMEDOUT':
      return `connecting to ${where} timed out`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the host name of ${where} (${code})`;
    case 'ECONNRESET':
      return `${where} reset the connection`;
    default:
      break;
  }
  if (level === 'client-timeout') return `no SSH handshake with ${where} within ${Math.round(timeoutMs / 1000)} s`;
  if (message === 'Keepalive timeout') return `${where} stopped answering keepalives`;
  return `${where}: ${message ?? String(error)}`;
}
