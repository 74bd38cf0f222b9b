import type { TranscriptEntry } from '@flotilla/protocol';
import { PLAIN, type Style } from './ansi.js';
import { truncate } from './table.js';

/** Tool output is shown in full in the pane and the raw log; the readable transcript keeps the start. */
const OUTPUT_LINES = 12;

/**
 * One transcript entry as readable text (several lines, no trailing newline).
 * @example formatEntry({ type: 'command', at: 0, command: 'ls', output: 'a\nb', exitCode: 0 })
 */
export function formatEntry(entry: TranscriptEntry, style: Style = PLAIN): string {
  switch (entry.type) {
    case 'text':
      return entry.text;
    case 'tool_call':
      return style.cyan(`▸ ${entry.tool}${summariseInput(entry.input)}`);
    case 'tool_result':
      return entry.isError ? style.red(indent(clip(entry.output), '  ✘ ')) : style.dim(indent(clip(entry.output), '  ↳ '));
    case 'edit':
      return [style.cyan(`✎ ${entry.path}`), colourDiff(clip(entry.diff, 60), style)].join('\n');
    case 'command': {
      const exit = entry.exitCode === null ? '' : entry.exitCode === 0 ? style.dim(' (exit 0)') : style.red(` (exit ${entry.exitCode})`);
      const out = entry.output.trim() === '' ? [] : [style.dim(indent(clip(entry.output), '  '))];
      return [style.cyan(`$ ${entry.command}`) + exit, ...out].join('\n');
    }
    case 'final':
      return [entry.isError ? style.red('── failed ──') : style.green('── final answer ──'), entry.text].join('\n');
    case 'notice':
      return style.yellow(`· ${entry.text}`);
  }
}

/** A whole transcript, entries separated by blank lines. */
export function formatTranscript(entries: readonly TranscriptEntry[], style: Style = PLAIN): string {
  return entries.map((e) => formatEntry(e, style)).join('\n\n');
}

/** The input field most worth seeing (a path, a command, a pattern), else compact JSON. */
function summariseInput(input: unknown): string {
  if (input === null || input === undefined) return '';
  if (typeof input !== 'object') return ` ${truncate(String(input), 120)}`;
  const record = input as Record<string, unknown>;
  for (const key of ['command', 'file_path', 'path', 'pattern', 'url', 'query', 'description']) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return ` ${truncate(value.replace(/\s+/g, ' '), 120)}`;
  }
  const json = JSON.stringify(input);
  return json === '{}' ? '' : ` ${truncate(json, 120)}`;
}

function clip(text: string, lines = OUTPUT_LINES): string {
  const all = text.replace(/\s+$/, '').split('\n');
  if (all.length <= lines) return all.join('\n');
  return [...all.slice(0, lines), `… ${all.length - lines} more lines`].join('\n');
}

function indent(text: string, prefix: string): string {
  const pad = ' '.repeat([...prefix].length);
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? prefix : pad) + line)
    .join('\n');
}

function colourDiff(diff: string, style: Style): string {
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('+') && !line.startsWith('+++')) return style.green(line);
      if (line.startsWith('-') && !line.startsWith('---')) return style.red(line);
      if (line.startsWith('@@')) return style.cyan(line);
      return line;
    })
    .join('\n');
}
