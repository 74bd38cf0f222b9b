import { expect } from 'vitest';

/** Prometheus's text format as a scraper reads it (for the /metrics tests). */
export interface ParsedExposition {
  help: Map<string, string>;
  type: Map<string, string>;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

/** A strict reader of the text format: every line is HELP, TYPE or a sample of a declared family. */
export function parseExposition(text: string): ParsedExposition {
  const parsed: ParsedExposition = { help: new Map(), type: new Map(), samples: [] };
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      (meta[1] === 'HELP' ? parsed.help : parsed.type).set(meta[2]!, meta[3]!);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (-?[0-9.e+]+|\+Inf|NaN)$/.exec(line);
    if (!sample) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const m of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    const family = sample[1]!.replace(/_(bucket|sum|count)$/, '');
    if (!parsed.type.has(sample[1]!) && parsed.type.get(family) !== 'histogram') throw new Error(`sample before its TYPE: ${line}`);
    parsed.samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return parsed;
}
