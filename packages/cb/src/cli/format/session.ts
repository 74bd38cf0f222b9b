import type { Peek, SendReceipt, Session, SessionLogEntry, SessionState } from '@flotilla/protocol';
import { PLAIN, type Style } from './ansi.js';
import { renderTable, type Column } from './table.js';

/**
 * How long a state has lasted, compact enough for a table cell: `45s`, `3m12s`, `2h05m`, `3d4h`.
 * @example formatSince(192_000) // '3m12s'
 */
export function formatSince(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

export function colourState(state: SessionState, style: Style): string {
  switch (state) {
    case 'waiting_permission':
    case 'waiting_input':
      return style.yellow(state);
    case 'working':
    case 'compacting':
      return style.cyan(state);
    case 'rate_limited':
      return style.red(state);
    case 'idle':
      return style.green(state);
    case 'exited':
    case 'unknown':
      return style.dim(state);
  }
}

export interface SessionTableOptions {
  now: number;
  width: number;
  style?: Style;
}

/** `cb session ls`: name (`(external)`: discovered, read-only; `(restarted N×)` by the watchdog), state and how long it has been in it, what it waits for, agent, model, host, cwd. */
export function formatSessionTable(sessions: readonly Session[], options: SessionTableOptions): string {
  const style = options.style ?? PLAIN;
  const columns: Column<Session>[] = [
    // Started outside Flotilla and not adopted: shown read-only.
    { header: 'NAME', value: (s) => `${s.name}${s.external ? ` ${style.dim('(external)')}` : ''}${s.restarts ? ` ${style.dim(`(restarted ${s.restarts}×)`)}` : ''}` },
    { header: 'STATE', value: (s) => `${colourState(s.state, style)} ${formatSince(options.now - Date.parse(s.since))}` },
    { header: 'AGENT', value: (s) => (s.kind === 'watcher' ? 'watcher' : s.agent) },
    { header: 'MODEL', value: (s) => s.model ?? '-' },
    { header: 'HOST', value: (s) => s.host },
    { header: 'SOURCE', value: (s) => s.source },
    { header: 'WAITING FOR / CWD', value: (s) => s.waitingFor ?? (s.kind === 'watcher' ? watching(s) : s.cwd), flexible: true },
  ];
  return renderTable(sessions, columns, options.width);
}

/** A command line as a person would type it: words with blanks or shell characters single-quoted. */
export function formatCommand(argv: readonly string[]): string {
  const words = argv[0] === '/bin/sh' && argv[1] === '-c' && argv.length === 3 ? [argv[2] ?? ''] : argv;
  if (words !== argv) return words[0] ?? '';
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** A watcher's last column: its command and alert patterns. */
function watching(session: Session): string {
  const alerts = session.alerts.map((a) => `/${a}/`).join(' ');
  return `$ ${formatCommand(session.command ?? [])}${alerts ? `  alerts ${alerts}` : ''}`;
}

/** `cb session log`: one line per entry, `HH:MM:SS kind message` (UTC dates when the day changes). */
export function formatSessionLog(entries: readonly SessionLogEntry[]): string {
  return entries.map((e) => `${e.at.replace('T', ' ').slice(0, 19)}  ${e.kind.padEnd(9)}  ${e.message}`).join('\n');
}

/** `cb send`: `delivered (hook, 240 ms)`, `delivered (hook, 1.3 s, 2 attempts)`, or for a watcher that did not echo the text `sent, not confirmed (…)`. */
export function formatReceipt(receipt: SendReceipt): string {
  const ms = receipt.ms < 1000 ? `${Math.round(receipt.ms)} ms` : `${(receipt.ms / 1000).toFixed(1)} s`;
  // A watcher's command gives no receipt: the text went in, nothing confirmed it was taken.
  if (receipt.confirmedBy === null) return `sent, not confirmed (${ms}; a watcher's command gives no receipt and did not echo it)`;
  const how = [receipt.confirmedBy, ms, ...(receipt.attempts > 1 ? [`${receipt.attempts} attempts`] : [])];
  return `delivered (${how.join(', ')})`;
}

/** `cb peek`: the screen lines as they are. */
export function formatPeek(peek: Peek): string {
  return peek.lines.join('\n');
}
