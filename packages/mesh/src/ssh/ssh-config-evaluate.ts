/**
 * Walking ssh_config files the way readconf.c does: top to bottom, each block active or not,
 * the first value obtained for a parameter winning, `Include` read in place (inside an
 * inactive block it is skipped; inside an active one the included file starts active and its
 * own Host/Match lines only govern that file).
 */
import { SshConfigError } from './ssh-errors.js';
import { includePattern, expandGlob, type ReadDir } from './ssh-config-include.js';
import { parseSshConfig, type SshConfigBlock } from './ssh-config-parse.js';
import { evaluateMatch } from './ssh-match.js';
import { matchHostLine } from './ssh-patterns.js';
import { applyDirective, type Obtained } from './ssh-config-directives.js';
import { expandPercent } from './ssh-tokens.js';

/** readconf.c's READCONF_MAX_DEPTH: Include loops end here instead of recursing forever. */
const MAX_INCLUDE_DEPTH = 16;

export type ReadFile = (path: string) => Promise<string>;

export interface WalkContext {
  /** The host as given (Host lines and %n). */
  hostArg: string;
  home: string;
  localUser: string;
  /** Where relative Include paths start: `~/.ssh` for the user config, `/etc/ssh` for the system one. */
  includeDir: string;
  readFile: ReadFile;
  readDir: ReadDir;
  obtained: Obtained;
  warnings: string[];
  /** Set when a Host/Match block named the host through something other than `*`. */
  specific: boolean;
}

/**
 * Read one config file into `context.obtained`. A missing file is an error only when
 * `required` (an explicit `-F` path); missing Include targets are skipped as ssh does.
 */
export async function walkConfigFile(path: string, context: WalkContext, options: { required: boolean; depth: number }): Promise<void> {
  if (options.depth > MAX_INCLUDE_DEPTH) {
    throw new SshConfigError('SSH_INCLUDE_TOO_DEEP', `${path}: Include nested more than ${MAX_INCLUDE_DEPTH} deep (a loop?)`);
  }
  const text = await readConfigText(path, context.readFile, options.required);
  if (text === null) return;
  const parsed = parseSshConfig(text, { path });
  if (!parsed.ok) {
    const lines = parsed.issues.map((issue) => `${issue.path} line ${issue.line}: ${issue.message}`);
    throw new SshConfigError('SSH_CONFIG_INVALID', lines.join('\n'));
  }
  for (const block of parsed.value.blocks) {
    const active = isBlockActive(block, context, path);
    for (const directive of block.directives) {
      const where = `${path} line ${directive.line}`;
      if (directive.keyword === 'include') {
        if (active) await walkIncludes(directive.args, context, options.depth);
        continue;
      }
      applyDirective(directive, { obtained: context.obtained, active, where, warnings: context.warnings });
    }
  }
}

async function readConfigText(path: string, readFile: ReadFile, required: boolean): Promise<string | null> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (!required && (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR')) return null;
    throw new SshConfigError('SSH_CONFIG_UNREADABLE', `cannot read ssh config ${path}: ${String(code ?? error)}`, { cause: error });
  }
}

async function walkIncludes(args: readonly string[], context: WalkContext, depth: number): Promise<void> {
  for (const argument of args) {
    const pattern = includePattern(argument, { home: context.home, localUser: context.localUser, relativeTo: context.includeDir });
    for (const path of await expandGlob(pattern, context.readDir)) {
      await walkConfigFile(path, context, { required: false, depth: depth + 1 });
    }
  }
}

/**
 * Whether the directives of a block apply. A file's leading block is active (an included
 * file is only walked from an active block); Host and Match lines decide for themselves.
 */
function isBlockActive(block: SshConfigBlock, context: WalkContext, path: string): boolean {
  if (block.kind === 'global') return true;
  if (block.kind === 'host') {
    const result = matchHostLine(context.hostArg, block.args);
    if (result.specific) context.specific = true;
    return result.matched;
  }
  const { obtained } = context;
  const host = obtained.hostname === undefined
    ? context.hostArg
    : expandPercent(obtained.hostname, { h: context.hostArg }, 'HostName');
  const outcome = evaluateMatch(block.args, {
    host,
    originalHost: context.hostArg,
    remoteUser: obtained.user ?? context.localUser,
    localUser: context.localUser,
  }, `${path} line ${block.line}`);
  context.warnings.push(...outcome.warnings);
  if (outcome.specific) context.specific = true;
  return outcome.matched;
}
