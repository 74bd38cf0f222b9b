/**
 * Prometheus's text exposition format 0.0.4, by hand: metric families (counter, gauge, histogram)
 * with `# HELP` and `# TYPE`, label values escaped, histograms as cumulative `_bucket{le=…}`, `_sum`
 * and `_count`.
 */

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels: Labels;
  value: number;
}

export interface HistogramSample {
  labels: Labels;
  /** Every observation (seconds, for durations). */
  observations: readonly number[];
}

export type MetricFamily =
  | { name: string; help: string; type: 'counter' | 'gauge'; samples: readonly Sample[] }
  | { name: string; help: string; type: 'histogram'; buckets: readonly number[]; samples: readonly HistogramSample[] };

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The families as one exposition document (ends with a newline). */
export function formatExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    if (!NAME.test(family.name)) throw new Error(`not a metric name: ${family.name}`);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    if (family.type === 'histogram') {
      for (const sample of family.samples) lines.push(...histogramLines(family.name, family.buckets, sample));
    } else {
      for (const sample of family.samples) lines.push(`${family.name}${labelText(sample.labels)} ${numberText(sample.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function histogramLines(name: string, buckets: readonly number[], sample: HistogramSample): string[] {
  const sorted = [...buckets].sort((a, b) => a - b);
  const lines = sorted.map((le) => `${name}_bucket${labelText({ ...sample.labels, le: numberText(le) })} ${sample.observations.filter((v) => v <= le).length}`);
  lines.push(`${name}_bucket${labelText({ ...sample.labels, le: '+Inf' })} ${sample.observations.length}`);
  lines.push(`${name}_sum${labelText(sample.labels)} ${numberText(sample.observations.reduce((sum, v) => sum + v, 0))}`);
  lines.push(`${name}_count${labelText(sample.labels)} ${sample.observations.length}`);
  return lines;
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  for (const [key] of entries) if (!LABEL.test(key)) throw new Error(`not a label name: ${key}`);
  return `{${entries.map(([key, value]) => `${key}="${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`).join(',')}}`;
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
