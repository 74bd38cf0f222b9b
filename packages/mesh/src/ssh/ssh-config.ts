/**
 * Resolving `mesh hosts add NAME` the way OpenSSH resolves `ssh NAME`: an alias from
 * ~/.ssh/config (HostName, User, Port, IdentityFile, ProxyJump, Include, Host/Match blocks,
 * tokens) or a literal `user@host[:port]`, to which matching config blocks still apply.
 * Semantics follow ssh_config(5) and OpenSSH's readconf.c; `ssh -G` is the test oracle.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile as readFileFs } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { z } from 'zod';
import { SshConfigError } from './ssh-errors.js';
import { walkConfigFile, type WalkContext } from './ssh-config-evaluate.js';
import type { Obtained, StrictHostKeyChecking } from './ssh-config-directives.js';
import { parseTargetLiteral, type SshHostSpec } from './ssh-target-literal.js';
import { expandPath, expandPercent, type TokenValues } from './ssh-tokens.js';

export { parseSshConfig } from './ssh-config-parse.js';
export type { SshConfigBlock, SshConfigDirective, SshConfigFile, SshConfigIssue, SshConfigParseResult } from './ssh-config-parse.js';
export { SshConfigError, isSshConfigError, type SshConfigErrorCode } from './ssh-errors.js';
export { formatHostSpec, type SshHostSpec } from './ssh-target-literal.js';
export type { StrictHostKeyChecking } from './ssh-config-directives.js';

/** Where and as whom to connect, fully resolved (tokens and `~` expanded). */
export interface SshTarget {
  /** The host as given, without user or port: what Host patterns matched and `%n` is. */
  alias: string;
  /** HostName (or the alias), lower-cased as ssh does. */
  hostname: string;
  user: string;
  port: number;
  /** IdentityFile paths in order, or OpenSSH's defaults; whether each exists is the caller's business. */
  identityFiles: string[];
  /**
   * Jump hosts in connection order, each as written (an unset user or port is left to the
   * config: resolve a hop with `resolveSshTarget(formatHostSpec(hop), options)`, as ssh does).
   * Null for a direct connection (unset, `ProxyJump none`, or a ProxyCommand won).
   */
  proxyJump: SshHostSpec[] | null;
  identitiesOnly?: boolean;
  /** HashKnownHosts: write hashed names when adding to known_hosts (`mesh hosts trust`). */
  hashKnownHosts?: boolean;
  /** Empty for `UserKnownHostsFile none`. */
  userKnownHostsFiles: string[];
  /** Empty for `GlobalKnownHostsFile none`. */
  globalKnownHostsFiles: string[];
  strictHostKeyChecking?: StrictHostKeyChecking;
  /** HostKeyAlias: the name to look the host key up under in known_hosts, when set. */
  hostKeyAlias?: string;
  /** `config` when a Host/Match block named this host (not just `Host *`); otherwise ssh would take it as a plain hostname. */
  source: 'config' | 'literal';
  /** Things ssh would do that this resolution does not (Match exec, ProxyCommand). */
  warnings: string[];
}

export const SshConfigOptionsSchema = z.object({
  /** Home directory: `~`, `%d` and relative Include paths resolve against it. */
  home: z.string().startsWith('/', 'home must be an absolute path'),
  /** Default `<home>/.ssh/config`; an explicit path must exist (like `ssh -F`) and skips the system config. */
  configPath: z.string().min(1).optional(),
  /** System-wide config read after the user's when `configPath` is not given; null for none. Default /etc/ssh/ssh_config. */
  systemConfigPath: z.string().min(1).nullable().optional(),
  /** The local user name: the default remote user, `%u`. */
  localUser: z.string().min(1),
  /** `%l`/`%L`; default os.hostname(). */
  localHostname: z.string().min(1).optional(),
  /** `${VAR}` expansion; default process.env. */
  env: z.record(z.string(), z.string().optional()).optional(),
  readFile: z.custom<(path: string) => Promise<string>>((value) => typeof value === 'function').optional(),
  readDir: z.custom<(path: string) => Promise<string[]>>((value) => typeof value === 'function').optional(),
});

export type SshConfigOptions = z.input<typeof SshConfigOptionsSchema>;

/** OpenSSH's default IdentityFile list (id_dsa and id_xmss left out: DSA is gone from OpenSSH 10, XMSS is not built by default). */
export const DEFAULT_IDENTITY_FILES = ['~/.ssh/id_rsa', '~/.ssh/id_ecdsa', '~/.ssh/id_ecdsa_sk', '~/.ssh/id_ed25519', '~/.ssh/id_ed25519_sk'];
const DEFAULT_USER_KNOWN_HOSTS = ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'];
const DEFAULT_GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
const DEFAULT_PORT = 22;
const SYSTEM_CONFIG = '/etc/ssh/ssh_config';
const SYSTEM_CONFIG_DIR = '/etc/ssh';
/** Characters ssh refuses in a hostname: they would reach a shell through ProxyCommand. */
const BAD_HOSTNAME = /[\s\x00-\x1f'`"$\\;&<>|(){},]/;

/**
 * Resolve an alias or `user@host[:port]` through ssh_config as `ssh -G` would. A name no block
 * matches is not an error (ssh takes it as a hostname); `source` then says `literal`.
 * @example
 * const target = await resolveSshTarget('web', { home: '/home/ada', localUser: 'ada' });
 * // { alias: 'web', hostname: '10.0.0.5', user: 'deploy', port: 2222, proxyJump: [{ hostname: 'bastion' }], … }
 */
export async function resolveSshTarget(nameOrTarget: string, options: SshConfigOptions): Promise<SshTarget> {
  const parsedOptions = SshConfigOptionsSchema.safeParse(options);
  if (!parsedOptions.success) {
    throw new SshConfigError('SSH_OPTIONS_INVALID', `invalid ssh config options: ${z.prettifyError(parsedOptions.error)}`);
  }
  const opts = parsedOptions.data;
  const literal = parseTarget(nameOrTarget);
  const context: WalkContext = {
    hostArg: literal.hostname,
    home: opts.home,
    localUser: opts.localUser,
    includeDir: `${opts.home.replace(/\/$/, '')}/.ssh`,
    readFile: opts.readFile ?? ((path) => readFileFs(path, 'utf8')),
    readDir: opts.readDir ?? ((path) => readdir(path)),
    obtained: { identityFiles: [], ...pick(literal) },
    warnings: [],
    specific: false,
  };
  const userConfig = opts.configPath ?? `${opts.home.replace(/\/$/, '')}/.ssh/config`;
  await walkConfigFile(userConfig, context, { required: opts.configPath !== undefined, depth: 0 });
  const systemConfig = systemConfigFor(opts);
  if (systemConfig !== null) {
    context.includeDir = SYSTEM_CONFIG_DIR;
    await walkConfigFile(systemConfig, context, { required: false, depth: 0 });
  }
  return finish(context, { localHostname: opts.localHostname ?? osHostname(), env: opts.env ?? process.env });
}

/** Like ssh: the system config follows the user's, except with an explicit `-F` path. */
function systemConfigFor(opts: { configPath?: string | undefined; systemConfigPath?: string | null | undefined }): string | null {
  if (opts.configPath !== undefined) return null;
  return opts.systemConfigPath === undefined ? SYSTEM_CONFIG : opts.systemConfigPath;
}

function parseTarget(nameOrTarget: string): SshHostSpec {
  const text = z.string().trim().min(1, 'an ssh alias or user@host[:port] is required').safeParse(nameOrTarget);
  if (!text.success) throw new SshConfigError('SSH_TARGET_INVALID', z.prettifyError(text.error));
  const spec = parseTargetLiteral(text.data);
  if (spec === null || spec.hostname.startsWith('-') || BAD_HOSTNAME.test(spec.hostname)) {
    throw new SshConfigError('SSH_TARGET_INVALID', `"${nameOrTarget}" is not an ssh alias or user@host[:port] (IPv6 with a port: [::1]:22)`);
  }
  return spec;
}

/** A user or port given on the command line beats the config: it is obtained first. */
function pick(spec: SshHostSpec): Partial<Obtained> {
  const out: Partial<Obtained> = {};
  if (spec.user !== undefined) out.user = spec.user;
  if (spec.port !== undefined) out.port = spec.port;
  return out;
}

/** Apply defaults and expand tokens, in the order ssh.c does after reading the config. */
function finish(context: WalkContext, local: { localHostname: string; env: Readonly<Record<string, string | undefined>> }): SshTarget {
  const { obtained, hostArg, home, localUser } = context;
  const hostname = resolveHostname(obtained.hostname, hostArg);
  const user = obtained.user ?? localUser;
  const port = obtained.port ?? DEFAULT_PORT;
  const shortHost = local.localHostname.split('.')[0] ?? local.localHostname;
  const values: TokenValues = {
    h: hostname, n: hostArg, p: String(port), r: user, u: localUser, d: home,
    i: String(process.getuid?.() ?? ''), l: local.localHostname, L: shortHost, k: obtained.hostKeyAlias ?? hostArg,
    C: createHash('sha1').update(`${local.localHostname}${hostname}${port}${user}`).digest('hex'),
  };
  const path = (keyword: string) => (file: string) => expandPath(file, { home, localUser, env: local.env, values, keyword });
  const identityFiles = obtained.identityFiles.length > 0 ? obtained.identityFiles : DEFAULT_IDENTITY_FILES;
  const target: SshTarget = {
    alias: hostArg,
    hostname,
    user,
    port,
    identityFiles: identityFiles.map(path('IdentityFile')),
    proxyJump: resolveProxyJump(obtained, { h: hostname, n: hostArg, p: String(port), r: user }),
    userKnownHostsFiles: noneOr(obtained.userKnownHostsFiles ?? DEFAULT_USER_KNOWN_HOSTS).map(path('UserKnownHostsFile')),
    globalKnownHostsFiles: noneOr(obtained.globalKnownHostsFiles ?? DEFAULT_GLOBAL_KNOWN_HOSTS),
    source: context.specific ? 'config' : 'literal',
    warnings: [...context.warnings, ...unsupportedWarnings(obtained)],
  };
  if (obtained.identitiesOnly !== undefined) target.identitiesOnly = obtained.identitiesOnly;
  if (obtained.hashKnownHosts !== undefined) target.hashKnownHosts = obtained.hashKnownHosts;
  if (obtained.strictHostKeyChecking !== undefined) target.strictHostKeyChecking = obtained.strictHostKeyChecking;
  if (obtained.hostKeyAlias !== undefined) target.hostKeyAlias = obtained.hostKeyAlias;
  return target;
}

function resolveHostname(configured: string | undefined, hostArg: string): string {
  const hostname = (configured === undefined ? hostArg : expandPercent(configured, { h: hostArg }, 'HostName')).toLowerCase();
  if (hostname === '' || hostname.startsWith('-') || BAD_HOSTNAME.test(hostname)) {
    throw new SshConfigError('SSH_CONFIG_INVALID', `hostname "${hostname}" contains invalid characters`);
  }
  return hostname;
}

/** ProxyJump accepts %%, %h, %n, %p and %r in its hosts and users. */
function resolveProxyJump(obtained: Obtained, values: TokenValues): SshHostSpec[] | null {
  if (obtained.proxyJump === undefined || obtained.proxyJump.length === 0) return null;
  return obtained.proxyJump.map((hop) => {
    const out: SshHostSpec = { hostname: expandPercent(hop.hostname, values, 'ProxyJump') };
    if (hop.user !== undefined) out.user = expandPercent(hop.user, values, 'ProxyJump');
    if (hop.port !== undefined) out.port = hop.port;
    return out;
  });
}

function noneOr(files: string[]): string[] {
  return files.length === 1 && files[0] === 'none' ? [] : files;
}

/** Settings that change where ssh connects but that this resolution does not carry out. */
function unsupportedWarnings(obtained: Obtained): string[] {
  const warnings: string[] = [];
  if (obtained.proxyCommand !== undefined && obtained.proxyCommand.toLowerCase() !== 'none') {
    warnings.push(`ProxyCommand "${obtained.proxyCommand}" is set; mesh connects directly and does not run it`);
  }
  const canonicalize = obtained.canonicalizeHostname;
  if (canonicalize !== undefined && canonicalize !== 'no' && canonicalize !== 'false') {
    warnings.push(`CanonicalizeHostname ${canonicalize} is set; the hostname is used as configured, not canonicalised`);
  }
  return warnings;
}
