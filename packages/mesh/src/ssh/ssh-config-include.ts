/**
 * Finding the files an `Include` names. Like readconf.c, a relative path is taken from
 * `~/.ssh/`, `~` is the home directory, and each argument is a glob(3) pattern whose matches
 * are read in sorted order; a pattern that matches nothing is skipped silently.
 */
import { expandTilde } from './ssh-tokens.js';

export type ReadDir = (path: string) => Promise<string[]>;

/**
 * The path an `Include` argument stands for, before globbing: relative to `~/.ssh` in a user
 * config, to `/etc/ssh` in the system one (`relativeTo`).
 */
export function includePattern(argument: string, context: { home: string; localUser: string; relativeTo: string }): string {
  if (argument.startsWith('/') || argument.startsWith('~')) return expandTilde(argument, context.home, context.localUser);
  return `${context.relativeTo.replace(/\/$/, '')}/${argument}`;
}

const GLOB_CHARS = /[*?[]/;

/**
 * Expand a glob pattern component by component. Wildcards never match a leading dot unless
 * the pattern component starts with one, as in glob(3). A literal path is returned as is; its
 * existence is checked when it is read.
 */
export async function expandGlob(pattern: string, readDir: ReadDir): Promise<string[]> {
  if (!GLOB_CHARS.test(pattern)) return [pattern];
  const absolute = pattern.startsWith('/');
  const parts = pattern.split('/').filter((part) => part !== '');
  let prefixes = [absolute ? '' : '.'];
  for (const part of parts) {
    prefixes = GLOB_CHARS.test(part)
      ? await expandComponent(prefixes, part, readDir)
      : prefixes.map((prefix) => `${prefix}/${part}`);
  }
  return prefixes.map((path) => (absolute ? path : path.replace(/^\.\//, ''))).sort();
}

async function expandComponent(prefixes: string[], part: string, readDir: ReadDir): Promise<string[]> {
  const matcher = globComponentRegExp(part);
  const out: string[] = [];
  for (const prefix of prefixes) {
    const entries = await readDir(prefix === '' ? '/' : prefix).catch(() => [] as string[]);
    for (const entry of entries.sort()) {
      if (entry.startsWith('.') && !part.startsWith('.')) continue;
      if (matcher.test(entry)) out.push(`${prefix}/${entry}`);
    }
  }
  return out;
}

/** `*`, `?` and `[…]`/`[!…]` classes of one path component as a regular expression. */
export function globComponentRegExp(part: string): RegExp {
  let source = '';
  for (let index = 0; index < part.length; index += 1) {
    const char = part[index] ?? '';
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[' && part.indexOf(']', index + 2) > index) {
      const close = part.indexOf(']', index + 2);
      const body = part.slice(index + 1, close);
      const negated = body.startsWith('!') || body.startsWith('^');
      const members = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&');
      source += `[${negated ? '^' : ''}${members}]`;
      index = close;
    } else source += char.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
