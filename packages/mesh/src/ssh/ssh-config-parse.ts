/**
 * The syntax of ssh_config(5), tokenised the way OpenSSH's readconf.c does it: one directive
 * per line, a case-insensitive keyword separated from its arguments by whitespace or one `=`,
 * arguments split on whitespace with single or double quotes and backslash escapes, and `#`
 * starting a comment only at the start of an argument (`a#b` is one argument, as in ssh).
 */

/** One `Keyword arguments…` line. `rest` is the unsplit argument text, which ProxyJump needs. */
export interface SshConfigDirective {
  /** Lower-cased keyword, e.g. `hostname`. */
  keyword: string;
  args: string[];
  rest: string;
  line: number;
}

/**
 * The directives before the first `Host`/`Match` line (`global`), or those under one
 * `Host`/`Match` line, whose arguments are kept in `args`.
 */
export interface SshConfigBlock {
  kind: 'global' | 'host' | 'match';
  args: string[];
  line: number;
  directives: SshConfigDirective[];
}

export interface SshConfigFile {
  path: string;
  blocks: SshConfigBlock[];
}

export interface SshConfigIssue {
  path: string;
  line: number;
  message: string;
}

export type SshConfigParseResult =
  | { ok: true; value: SshConfigFile }
  | { ok: false; issues: SshConfigIssue[] };

const WHITESPACE = ' \t\r\n';

/**
 * Parse the text of one ssh_config file into its blocks. Syntax errors are returned as issues
 * (with file and line), never thrown; keyword-specific checks happen when a value is used.
 * @example
 * const parsed = parseSshConfig('Host web\n  HostName 10.0.0.5\n', { path: '~/.ssh/config' });
 * if (parsed.ok) console.log(parsed.value.blocks[1]?.directives[0]?.args); // ['10.0.0.5']
 */
export function parseSshConfig(text: string, options: { path: string }): SshConfigParseResult {
  const blocks: SshConfigBlock[] = [{ kind: 'global', args: [], line: 0, directives: [] }];
  const issues: SshConfigIssue[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const parsed = parseLine(raw);
    if (parsed === null) return;
    if ('error' in parsed) {
      issues.push({ path: options.path, line, message: parsed.error });
      return;
    }
    const directive = { ...parsed, line };
    if (directive.keyword === 'host' || directive.keyword === 'match') {
      blocks.push({ kind: directive.keyword, args: directive.args, line, directives: [] });
    } else {
      blocks[blocks.length - 1]?.directives.push(directive);
    }
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: { path: options.path, blocks } };
}

type ParsedLine = Omit<SshConfigDirective, 'line'> | { error: string } | null;

/** One line: null for blank lines and comments. */
function parseLine(raw: string): ParsedLine {
  const line = trimTrailing(raw);
  let position = skipWhitespace(line, 0);
  if (position >= line.length || line[position] === '#') return null;
  const keywordEnd = findKeywordEnd(line, position);
  const keyword = line.slice(position, keywordEnd).toLowerCase();
  position = skipSeparator(line, keywordEnd);
  const rest = line.slice(position);
  if (rest.length === 0) return { error: `no argument after keyword "${keyword}"` };
  const args = splitArguments(rest);
  if (args === null) return { error: `invalid quotes in the arguments of "${keyword}"` };
  return { keyword, args, rest };
}

function trimTrailing(line: string): string {
  let end = line.length;
  while (end > 0 && (WHITESPACE + '\f').includes(line[end - 1] ?? '')) end -= 1;
  return line.slice(0, end);
}

function skipWhitespace(line: string, from: number): number {
  let position = from;
  while (position < line.length && WHITESPACE.includes(line[position] ?? '')) position += 1;
  return position;
}

function findKeywordEnd(line: string, from: number): number {
  let position = from;
  while (position < line.length && !(WHITESPACE + '="').includes(line[position] ?? '')) position += 1;
  return position;
}

/** After the keyword: whitespace, at most one `=`, whitespace (readconf.c's strdelim). */
function skipSeparator(line: string, from: number): number {
  let position = skipWhitespace(line, from);
  if (line[position] === '=') position = skipWhitespace(line, position + 1);
  return position;
}

/**
 * Split arguments like OpenSSH's argv_split(): quotes may open mid-argument, `\` escapes a
 * quote, a backslash or (outside quotes) a space, and `#` at the start of an argument ends the
 * line. Returns null on an unterminated quote.
 */
export function splitArguments(text: string): string[] | null {
  const args: string[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? '';
    if (char === ' ' || char === '\t') {
      index += 1;
      continue;
    }
    if (char === '#') break;
    const argument = readArgument(text, index);
    if (argument === null) return null;
    args.push(argument.value);
    index = argument.end;
  }
  return args;
}

function readArgument(text: string, start: number): { value: string; end: number } | null {
  let value = '';
  let quote = '';
  let index = start;
  for (; index < text.length; index += 1) {
    const char = text[index] ?? '';
    const next = text[index + 1] ?? '';
    if (char === '\\' && (next === "'" || next === '"' || next === '\\' || (quote === '' && next === ' '))) {
      value += next;
      index += 1;
    } else if (quote === '' && (char === ' ' || char === '\t')) {
      break;
    } else if (quote === '' && (char === '"' || char === "'")) {
      quote = char;
    } else if (quote !== '' && char === quote) {
      quote = '';
    } else {
      value += char;
    }
  }
  return quote === '' ? { value, end: index } : null;
}
