/** `@flotilla/mesh/link`: the hub's SSH link to a host. */
export type { ExecOptions, ExecResult, HostLink, LinkStatus } from './host-link.js';
export { openHostLink } from './open-host-link.js';
export type { OpenHostLinkOptions } from './link-options.js';
export { LinkError, isLinkError } from './link-errors.js';
export type { LinkErrorCode } from './link-errors.js';
