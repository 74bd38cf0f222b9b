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
