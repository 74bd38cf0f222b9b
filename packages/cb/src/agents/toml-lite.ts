/**
 * Just enough TOML to read Codex's `config.toml` selection keys: `[table.headers]` (bare or quoted
 * parts) and `key = value` lines with string, boolean or number values. Arrays, inline tables and
 * multi-line strings are skipped. Never throws.
 */

/** Table path (parts joined with `.`; `''` for the top level) → key → value as a string. */
export type TomlTables = Map<string, Map<string, string>>;

function unquote(part: string): string {
  const trimmed = part.trim();
  if (trimmed.length >= 2 && (trimmed.startsWith('"') || trimmed.startsWith("'")) && trimmed.endsWith(trimmed[0] ?? '')) {
    return trimmed.slice(1, -1);
  }
  return trimmed;
}

/** Splits `a."b.c".d` into `['a', 'b.c', 'd']`. */
export function splitDotted(path: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (const ch of path) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '.') {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  parts.push(current.trim());
  return parts;
}

function parseValue(raw: string): string | null {
  const value = raw.trim();
  const quoted = /^"((?:[^"\\]|\\.)*)"|^'([^']*)'/.exec(value);
  if (quoted) return quoted[1] !== undefined ? quoted[1].replace(/\\(["\\])/g, '$1') : (quoted[2] ?? '');
  const bare = /^(true|false|[+-]?\d[\d_.eE+-]*)\s*(?:#.*)?$/.exec(value);
  return bare?.[1] ?? null;
}

export function parseTomlLite(text: string): TomlTables {
  const tables: TomlTables = new Map([['', new Map()]]);
  let current = tables.get('') as Map<string, string>;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[\s*([^[\]]+?)\s*\]\s*(?:#.*)?$/.exec(line);
    if (header?.[1]) {
      const name = splitDotted(header[1]).join('.');
      current = tables.get(name) ?? new Map();
      tables.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const value = parseValue(line.slice(eq + 1));
    if (value !== null) current.set(unquote(line.slice(0, eq)), value);
  }
  return tables;
}
