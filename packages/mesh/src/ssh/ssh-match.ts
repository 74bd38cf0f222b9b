/**
 * `Match` lines (readconf.c's match_cfg_line). Supported criteria: `all`, `host`,
 * `originalhost`, `user` and `localuser`, each negatable with `!` and written `crit arg` or
 * `crit=arg`. `exec`, `canonical` and `final` need ssh's own connection passes or a shell;
 * they make the block not match and leave a warning.
 */
import { SshConfigError } from './ssh-errors.js';
import { matchPatternList } from './ssh-patterns.js';

/** What a Match line is tested against. */
export interface MatchSubject {
  /** HostName as obtained so far (with %h expanded), else the host as given. */
  host: string;
  originalHost: string;
  /** The remote user obtained so far, else the local user. */
  remoteUser: string;
  localUser: string;
}

export interface MatchOutcome {
  matched: boolean;
  /** True when the block matched through a host or originalhost pattern other than `*`. */
  specific: boolean;
  warnings: string[];
}

const NEEDS_ARGUMENT = new Set(['host', 'originalhost', 'user', 'localuser', 'exec']);
const UNSUPPORTED = new Set(['exec', 'canonical', 'final']);

/**
 * Evaluate the arguments of a `Match` line. All criteria must hold. Throws
 * SSH_CONFIG_INVALID for what ssh itself rejects (unknown criterion, missing argument,
 * `all` combined with others).
 */
export function evaluateMatch(args: readonly string[], subject: MatchSubject, where: string): MatchOutcome {
  const criteria = splitCriteria(args, where);
  const outcome: MatchOutcome = { matched: true, specific: false, warnings: [] };
  for (const { name, negated, argument } of criteria) {
    if (name === 'all') continue;
    if (UNSUPPORTED.has(name)) {
      outcome.warnings.push(`${where}: Match ${name} is not supported; the block is treated as not matching`);
      outcome.matched = false;
      continue;
    }
    const hit = testCriterion(name, argument, subject) === 1;
    if (hit === negated) outcome.matched = false;
    if (hit && !negated && (name === 'host' || name === 'originalhost') && argument !== '*') outcome.specific = true;
  }
  if (!outcome.matched) outcome.specific = false;
  return outcome;
}

interface Criterion {
  name: string;
  negated: boolean;
  argument: string;
}

function splitCriteria(args: readonly string[], where: string): Criterion[] {
  const criteria: Criterion[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const token = args[index] ?? '';
    const negated = token.startsWith('!');
    const [rawName = '', inline] = splitOnce(negated ? token.slice(1) : token, '=');
    const name = rawName.toLowerCase();
    if (!['all', 'canonical', 'final', ...NEEDS_ARGUMENT].includes(name)) {
      throw new SshConfigError('SSH_CONFIG_INVALID', `${where}: unsupported Match attribute "${rawName}"`);
    }
    let argument = '';
    if (NEEDS_ARGUMENT.has(name)) {
      argument = inline ?? args[(index += 1)] ?? '';
      if (argument === '') throw new SshConfigError('SSH_CONFIG_INVALID', `${where}: missing Match criteria for ${name}`);
    }
    criteria.push({ name, negated, argument });
  }
  const hasAll = criteria.some((criterion) => criterion.name === 'all');
  if (hasAll && criteria.some((c) => !['all', 'canonical', 'final'].includes(c.name))) {
    throw new SshConfigError('SSH_CONFIG_INVALID', `${where}: "Match all" cannot be combined with other attributes`);
  }
  return criteria;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const index = text.indexOf(separator);
  return index < 0 ? [text, undefined] : [text.slice(0, index), text.slice(index + 1)];
}

function testCriterion(name: string, argument: string, subject: MatchSubject): number {
  switch (name) {
    case 'host':
      return matchPatternList(subject.host, argument, true);
    case 'originalhost':
      return matchPatternList(subject.originalHost, argument, true);
    case 'user':
      return matchPatternList(subject.remoteUser, argument, false);
    default:
      return matchPatternList(subject.localUser, argument, false);
  }
}
