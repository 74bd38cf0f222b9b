/**
 * The ssh_config keywords that decide where and as whom to connect, checked the way
 * readconf.c checks them (in every block, active or not) and stored only when the block is
 * active and the parameter has no value yet: the first obtained value wins. IdentityFile is
 * the exception that accumulates, without duplicates.
 */
import { SshConfigError } from './ssh-errors.js';
import type { SshConfigDirective } from './ssh-config-parse.js';
import { isKnownKeyword } from './ssh-keywords.js';
import { matchPatternList } from './ssh-patterns.js';
import { parsePort, parseProxyJump, type SshHostSpec } from './ssh-target-literal.js';

export type StrictHostKeyChecking = 'yes' | 'no' | 'ask' | 'accept-new';

/** Values obtained so far, as written (tokens not yet expanded). */
export interface Obtained {
  hostname?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  /** An empty list means `ProxyJump none`. */
  proxyJump?: SshHostSpec[];
  proxyCommand?: string;
  identitiesOnly?: boolean;
  hashKnownHosts?: boolean;
  userKnownHostsFiles?: string[];
  globalKnownHostsFiles?: string[];
  strictHostKeyChecking?: StrictHostKeyChecking;
  hostKeyAlias?: string;
  /** CanonicalizeHostname as written; anything but `no`/`false` is only warned about. */
  canonicalizeHostname?: string;
  /** IgnoreUnknown: keyword patterns not to warn about. */
  ignoreUnknown?: string;
}

/** readconf.c's SSH_MAX_IDENTITY_FILES. */
const MAX_IDENTITY_FILES = 100;

const YES_NO: Record<string, boolean> = { yes: true, true: true, no: false, false: false };
const STRICT: Record<string, StrictHostKeyChecking> = {
  yes: 'yes', true: 'yes', no: 'no', false: 'no', off: 'no', ask: 'ask', 'accept-new': 'accept-new',
};

interface ApplyContext {
  obtained: Obtained;
  active: boolean;
  where: string;
  warnings: string[];
}

/** Check one directive and, when its block is active, record its value. */
export function applyDirective(directive: SshConfigDirective, context: ApplyContext): void {
  const { obtained, active } = context;
  switch (directive.keyword) {
    case 'hostname':
      return setOnce(obtained, 'hostname', single(directive, context.where), active);
    case 'user':
      return setOnce(obtained, 'user', single(directive, context.where), active);
    case 'canonicalizehostname':
      return setOnce(obtained, 'canonicalizeHostname', single(directive, context.where).toLowerCase(), active);
    case 'ignoreunknown':
      return setOnce(obtained, 'ignoreUnknown', single(directive, context.where), active);
    case 'hostkeyalias':
      return setOnce(obtained, 'hostKeyAlias', single(directive, context.where), active);
    case 'port':
      return setOnce(obtained, 'port', portValue(directive, context.where), active);
    case 'identitiesonly':
      return setOnce(obtained, 'identitiesOnly', choice(directive, YES_NO, context.where), active);
    case 'hashknownhosts':
      return setOnce(obtained, 'hashKnownHosts', choice(directive, YES_NO, context.where), active);
    case 'stricthostkeychecking':
      return setOnce(obtained, 'strictHostKeyChecking', choice(directive, STRICT, context.where), active);
    case 'userknownhostsfile':
      return setOnce(obtained, 'userKnownHostsFiles', directive.args, active);
    case 'globalknownhostsfile':
      return setOnce(obtained, 'globalKnownHostsFiles', directive.args, active);
    case 'identityfile':
      return addIdentityFile(obtained, single(directive, context.where), context);
    case 'proxyjump':
      return applyProxyJump(directive, context);
    case 'proxycommand':
      return applyProxyCommand(directive, context);
    default:
      return warnIfUnknown(directive.keyword, context);
  }
}

function setOnce<TKey extends keyof Obtained>(obtained: Obtained, key: TKey, value: Obtained[TKey], active: boolean): void {
  if (active && obtained[key] === undefined) obtained[key] = value;
}

function invalid(where: string, message: string): SshConfigError {
  return new SshConfigError('SSH_CONFIG_INVALID', `${where}: ${message}`);
}

function single(directive: SshConfigDirective, where: string): string {
  const [value, extra] = directive.args;
  if (value === undefined || value === '') throw invalid(where, `missing argument for ${directive.keyword}`);
  if (extra !== undefined) throw invalid(where, `${directive.keyword} takes one argument, got ${directive.args.length}`);
  return value;
}

function portValue(directive: SshConfigDirective, where: string): number {
  const text = single(directive, where);
  const port = parsePort(text);
  if (port === null) throw invalid(where, `bad port "${text}" (expected 1-65535)`);
  return port;
}

function choice<TValue>(directive: SshConfigDirective, table: Record<string, TValue>, where: string): TValue {
  const text = single(directive, where);
  const value = table[text.toLowerCase()];
  if (value === undefined) throw invalid(where, `${directive.keyword}: unsupported value "${text}" (${Object.keys(table).join(', ')})`);
  return value;
}

function addIdentityFile(obtained: Obtained, path: string, context: ApplyContext): void {
  if (!context.active || obtained.identityFiles.includes(path)) return;
  if (obtained.identityFiles.length >= MAX_IDENTITY_FILES) throw invalid(context.where, `too many identity files (max ${MAX_IDENTITY_FILES})`);
  obtained.identityFiles.push(path);
}

/**
 * ProxyJump is parsed from the raw line (parse_jump in readconf.c). It is ignored once a
 * ProxyCommand (even `none`) or ProxyJump (even `none`) was obtained; any ProxyJump blocks
 * later ProxyCommands.
 */
function applyProxyJump(directive: SshConfigDirective, context: ApplyContext): void {
  const hops = parseProxyJump(directive.rest);
  if (hops === null) throw invalid(context.where, `invalid ProxyJump "${directive.rest}"`);
  const { obtained } = context;
  if (!context.active || obtained.proxyJump !== undefined || obtained.proxyCommand !== undefined) return;
  obtained.proxyJump = hops;
}

function applyProxyCommand(directive: SshConfigDirective, context: ApplyContext): void {
  const { obtained } = context;
  if (!context.active || obtained.proxyCommand !== undefined || obtained.proxyJump !== undefined) return;
  obtained.proxyCommand = directive.rest.trim();
}

/** ssh refuses a config with an unknown keyword unless IgnoreUnknown (set earlier) covers it. */
function warnIfUnknown(keyword: string, context: ApplyContext): void {
  if (isKnownKeyword(keyword)) return;
  const ignored = context.obtained.ignoreUnknown;
  if (ignored !== undefined && matchPatternList(keyword, ignored, true) === 1) return;
  context.warnings.push(`${context.where}: unknown keyword "${keyword}" is ignored (ssh would refuse this config)`);
}
