/** `@flotilla/mesh/link`: the hub's SSH link to a host. */
export type { ExecOptions, ExecResult, HostLink, LinkStatus } from './host-link.js';
