// @flotilla/mesh: the public API grows with issue 6, slice by slice.
export { resolveSshTarget, parseSshConfig, formatHostSpec, SshConfigError, isSshConfigError } from './ssh/ssh-config.js';
export type { SshTarget, SshConfigOptions, SshHostSpec, SshConfigErrorCode } from './ssh/ssh-config.js';
export {
  appendKnownHost,
  checkHostKey,
  defaultKnownHostsPaths,
  fingerprintSha256,
  knownHostKeyTypes,
  knownHostsLine,
  readKnownHosts,
} from './ssh/known-hosts.js';
export type { HostKeyVerdict, KnownHostEntry } from './ssh/known-hosts.js';
export { createHostVerifier, HostKeyError, serverHostKeyOrder } from './ssh/known-hosts-verifier.js';
export {
  addHostEntry,
  findHostEntry,
  FleetHostNameSchema,
  HostsFileEntrySchema,
  HostsFileError,
  HostsFileSchema,
  readHostsFile,
  removeHostEntry,
  touchHostsFile,
} from './hosts/hosts-file.js';
export type { HostsFile, HostsFileEntry, HostsFileErrorCode } from './hosts/hosts-file.js';
export { agentSocketFromEnv, sshConfigFromEnv } from './hosts/ssh-env.js';
/**
 * The hub as a library: `serveHub` runs what `mesh serve` runs (hub.db, one link per host, the
 * CLI socket, optionally 127.0.0.1 with the dashboard) in this process; `createLocalLink` reaches
 * a daemon on this machine (another FLOTILLA_HOME) without SSH, as a host of the fleet.
 *
 * @example
 * const hub = await serveHub({ paths: hubPaths({ FLOTILLA_HOME: dir }), name: 'hub', port: 0,
 *   readHosts: async () => [{ name: 'box', spec: 'local:box', target: 'local' }],
 *   openLink: (entry) => createLocalLink({ name: entry.name, env: { FLOTILLA_HOME: boxHome } }) });
 * console.log(hub.signInUrl());
 */
export { serveHub, DEFAULT_LEASE_MS } from './hub/serve-hub.js';
export type { RunningHub, ServeHubOptions } from './hub/serve-hub.js';
export type { HostEntry } from './hub/host-connection.js';
export { createLocalLink } from './hub/local-link.js';
export type { LocalLinkOptions } from './hub/local-link.js';
export { hubPaths } from './cli/context.js';
export type { HubPaths } from './cli/context.js';
