import type { TranscriptEntry } from '@flotilla/protocol';
import { stripAnsi } from './lines.js';

export interface FormatOptions {
  /** ANSI colours (for a TTY / the tmux pane). */
  color: boolean;
}

/** Display limits: the pane and `cb logs` show a compact view; the full text stays in the log. */
const MAX_LINE_CHARS = 160;
const MAX_TEXT_LINES = 40;
const MAX_DIFF_LINES = 30;
const MAX_OUTPUT_HEAD = 5;
const MAX_OUTPUT_TAIL = 3;
const MAX_RESULT_LINES = 3;
/** The final answer usually repeats the agent's last text, so only its start is shown. */
const MAX_FINAL_LINES = 3;

type Paint = (text: string) => string;
interface Palette {
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  cyan: Paint;
  yellow: Paint;
}

const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;
const plain: Paint = (text) => text;

function palette(color: boolean): Palette {
  if (!color) return { bold: plain, dim: plain, red: plain, green: plain, cyan: plain, yellow: plain };
  return { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), cyan: sgr(36, 39), yellow: sgr(33, 39) };
}

/** Agent text with escape sequences and other control characters removed (tabs become spaces). */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return stripAnsi(text).replace(/\t/g, '  ').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

function clip(line: string, max = MAX_LINE_CHARS): string {
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

function linesOf(text: string): string[] {
  const lines = clean(text).split('\n');
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  return lines;
}

/** First `max` lines, then a count of the rest. */
function moreLines(count: number, p: Palette): string {
  return p.dim(`… ${count} more line${count === 1 ? '' : 's'}`);
}

function head(lines: readonly string[], max: number, p: Palette): string[] {
  if (lines.length <= max) return lines.map((l) => clip(l));
  return [...lines.slice(0, max).map((l) => clip(l)), moreLines(lines.length - max, p)];
}

/** First and last lines of long output, the middle elided. */
function headAndTail(lines: readonly string[], p: Palette): string[] {
  if (lines.length <= MAX_OUTPUT_HEAD + MAX_OUTPUT_TAIL + 1) return lines.map((l) => clip(l));
  const hidden = lines.length - MAX_OUTPUT_HEAD - MAX_OUTPUT_TAIL;
  return [
    ...lines.slice(0, MAX_OUTPUT_HEAD).map((l) => clip(l)),
    moreLines(hidden, p),
    ...lines.slice(-MAX_OUTPUT_TAIL).map((l) => clip(l)),
  ];
}

/** `marker first-line` with the following lines indented under it. */
function block(marker: string, lines: readonly string[], indent = '  '): string {
  const [first = '', ...rest] = lines;
  return [`${marker} ${first}`.trimEnd(), ...rest.map((l) => `${indent}${l}`)].join('\n');
}

/** Tool input keys, most telling first. */
const SUMMARY_KEYS = ['command', 'cmd', 'file_path', 'path', 'notebook_path', 'pattern', 'url', 'query', 'description', 'prompt'];

/** The one argument that best says what a tool call does. */
export function toolSummary(input: unknown): string {
  if (input === null || input === undefined) return '';
  if (typeof input !== 'object') return clip(clean(String(input)), 100);
  const record = input as Record<string, unknown>;
  for (const key of SUMMARY_KEYS) {
    const value = record[key];
    if (typeof value === 'string' && value.trim() !== '') {
      const [first = '', ...more] = clean(value).trim().split('\n');
      return clip(more.length > 0 ? `${first} …` : first, 120);
    }
  }
  const json = JSON.stringify(input);
  return json === '{}' ? '' : clip(clean(json), 100);
}

function diffLine(line: string, p: Palette): string {
  const clipped = clip(line);
  if (line.startsWith('@@')) return p.cyan(clipped);
  if (line.startsWith('+')) return p.green(clipped);
  if (line.startsWith('-')) return p.red(clipped);
  return clipped;
}

function formatEdit(path: string, diff: string, p: Palette): string {
  const body = linesOf(diff).filter((l) => !l.startsWith('--- ') && !l.startsWith('+++ '));
  const out = [`${p.yellow('✎')} ${p.bold(clean(path))}`];
  for (const line of body.slice(0, MAX_DIFF_LINES)) out.push(`    ${diffLine(line, p)}`);
  if (body.length > MAX_DIFF_LINES) out.push(`    ${moreLines(body.length - MAX_DIFF_LINES, p)}`);
  return out.join('\n');
}

function formatCommand(entry: Extract<TranscriptEntry, { type: 'command' }>, p: Palette): string {
  const [first = '', ...more] = linesOf(entry.command);
  const extra = more.length === 0 ? '' : p.dim(` … (+${more.length} line${more.length === 1 ? '' : 's'})`);
  const out = [`${p.bold('$')} ${clip(first)}${extra}`];
  for (const line of headAndTail(linesOf(entry.output), p)) out.push(`  ${p.dim(line)}`);
  if (entry.exitCode !== null) out.push(`  ${entry.exitCode === 0 ? p.green('exit 0') : p.red(`exit ${entry.exitCode}`)}`);
  return out.join('\n');
}

function formatFinal(entry: Extract<TranscriptEntry, { type: 'final' }>, p: Palette): string {
  const lines = head(linesOf(entry.text), entry.isError ? MAX_TEXT_LINES : MAX_FINAL_LINES, p);
  if (entry.isError) return block(p.red('✘'), lines.length > 0 ? lines : ['failed']);
  if (lines.length === 0) return p.green('✔ done');
  const [first = '', ...rest] = lines;
  return block(p.green('✔ done:'), [first, ...rest]);
}

/**
 * One transcript entry as compact terminal lines (for the tmux pane and `cb logs`); no trailing
 * newline. Agent text is stripped of escape sequences, long lines are clipped and long blocks elided.
 *
 * @example
 * formatEntry({ type: 'command', at: 3, command: 'npm test', output: 'ok', exitCode: 0 }, { color: false });
 * // '$ npm test\n  ok\n  exit 0'
 */
export function formatEntry(entry: TranscriptEntry, options: FormatOptions): string {
  const p = palette(options.color);
  switch (entry.type) {
    case 'text':
      return block('●', head(linesOf(entry.text), MAX_TEXT_LINES, p));
    case 'tool_call': {
      const summary = toolSummary(entry.input);
      return `${p.cyan('⏺')} ${p.bold(clean(entry.tool))}${summary ? ` ${summary}` : ''}`;
    }
    case 'tool_result': {
      const lines = head(linesOf(entry.output), MAX_RESULT_LINES, p);
      const marker = entry.isError ? p.red('  ⎿ ✘') : p.dim('  ⎿');
      return block(marker, lines.length > 0 ? lines : [p.dim('(no output)')], '    ');
    }
    case 'edit':
      return formatEdit(entry.path, entry.diff, p);
    case 'command':
      return formatCommand(entry, p);
    case 'final':
      return formatFinal(entry, p);
    case 'notice':
      return p.dim(block('·', linesOf(entry.text).map((l) => clip(l))));
  }
}
