/**
 * ssh_config(5) PATTERNS, as OpenSSH's match.c implements them: `*` matches any run of
 * characters, `?` exactly one, a leading `!` negates, and a negated match vetoes the whole
 * list. `Host` lines match case-sensitively, one whitespace-separated pattern per argument
 * (a comma is an ordinary character there); `Match host` takes comma-separated lists and
 * ignores case.
 */

/** Glob match of the whole string against one pattern (`*`, `?`, no character classes). */
export function matchPattern(value: string, pattern: string): boolean {
  let v = 0;
  let p = 0;
  let starP = -1;
  let starV = 0;
  while (v < value.length) {
    const pc = pattern[p];
    if (pc === '*') {
      starP = p;
      starV = v;
      p += 1;
    } else if (pc !== undefined && (pc === '?' || pc === value[v])) {
      p += 1;
      v += 1;
    } else if (starP >= 0) {
      p = starP + 1;
      starV += 1;
      v = starV;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p += 1;
  return p === pattern.length;
}

/** 1 when some pattern matches, -1 when a negated one does (a veto), 0 otherwise. */
export type ListMatch = 1 | 0 | -1;

/**
 * Match against a comma-separated pattern list (match_pattern_list). With `ignoreCase`, both
 * sides are lower-cased first, as match_hostname() does.
 */
export function matchPatternList(value: string, list: string, ignoreCase: boolean): ListMatch {
  const subject = ignoreCase ? value.toLowerCase() : value;
  let result: ListMatch = 0;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    const body = negated ? raw.slice(1) : raw;
    const pattern = ignoreCase ? body.toLowerCase() : body;
    if (!matchPattern(subject, pattern)) continue;
    if (negated) return -1;
    result = 1;
  }
  return result;
}

/** What a `Host` line decided, and whether it matched only through a bare `*`. */
export interface HostLineMatch {
  matched: boolean;
  /** True when a pattern other than a lone `*` matched: the host is named by the config. */
  specific: boolean;
}

/**
 * Evaluate the arguments of a `Host` line against the host as given (readconf.c): each
 * argument is one pattern; any negated match makes the block inactive regardless of the rest.
 */
export function matchHostLine(host: string, patterns: readonly string[]): HostLineMatch {
  let matched = false;
  let specific = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (!matchPattern(host, pattern)) continue;
    if (negated) return { matched: false, specific: false };
    matched = true;
    if (pattern !== '*') specific = true;
  }
  return { matched, specific };
}
