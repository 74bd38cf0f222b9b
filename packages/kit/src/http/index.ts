/**
 * `@flotilla/kit/http` — the secure hono app (Host allowlist, Origin check, token), serving it on a
 * unix socket or loopback TCP, and the token file.
 */
export { TOKEN_COOKIE, createSecureApp, createSecurityMiddleware, hasOwnerToken } from './secure-app.js';
export type { GuardErrorCode, SecureAppErrorCode, SecureAppOptions } from './secure-app.js';
export { serveOnPort, serveOnSocket } from './serve.js';
export type { FetchHandler, PortServer, RunningServer, ServeErrorCode, ServeOnPortOptions, ServeOptions, SocketServer } from './serve.js';
export { generateToken, readOrCreateTokenFile } from './token.js';
export { tokensEqual } from './request-guards.js';
export { outboxEventRoutes } from './outbox-events.js';
export type { OutboxEventSource } from './outbox-events.js';
export { KitError, isKitError } from '../internal/errors.js';
