import { visibleLength } from './ansi.js';

export interface Column<TRow> {
  header: string;
  value(row: TRow): string;
  align?: 'left' | 'right';
  /** The one column that gives way (is truncated) when the table is wider than the terminal. */
  flexible?: boolean;
}

/**
 * A plain text table: a header row, then one row per item, columns separated by two spaces,
 * the flexible column cut with `…` to fit `width`.
 *
 * @example renderTable(jobs, [{ header: 'ID', value: (j) => j.id }], 80)
 */
export function renderTable<TRow>(rows: readonly TRow[], columns: readonly Column<TRow>[], width: number): string {
  const cells = rows.map((row) => columns.map((c) => oneLine(c.value(row))));
  const widths = columns.map((c, i) => Math.max(visibleLength(c.header), ...cells.map((r) => visibleLength(r[i] as string))));
  const flex = columns.findIndex((c) => c.flexible);
  if (flex !== -1) {
    const others = widths.reduce((sum, w, i) => (i === flex ? sum : sum + w), 0) + 2 * (columns.length - 1);
    widths[flex] = Math.max(Math.min(widths[flex] as number, width - others), visibleLength(columns[flex]!.header));
  }
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => {
        const w = widths[i] as number;
        const text = visibleLength(value) > w ? truncate(value, w) : value;
        const pad = ' '.repeat(Math.max(0, w - visibleLength(text)));
        if (i === values.length - 1 && columns[i]?.align !== 'right') return text;
        return columns[i]?.align === 'right' ? pad + text : text + pad;
      })
      .join('  ');
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** Cuts `text` to `width` characters, ending in `…` when cut. Assumes no colour codes. */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return chars.slice(0, width).join('');
  return `${chars.slice(0, width - 1).join('')}…`;
}

/** The first non-empty line of `text`, trimmed. */
export function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
}

function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ');
}
