import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { formatValue, tableOf, type ChartSeries, type ChartSpec } from './series';

/** Series colours, in order: the page's own tone variables, so dark mode follows. */
const PALETTE = ['--accent', '--attention', '--good', '--bad', '--warn', '--muted'];
const HEIGHT = 220;

function colour(i: number): string {
  const name = PALETTE[i % PALETTE.length]!;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#2b59c3';
}

/** Bars of the drawn bar series sit side by side: each gets a slot of the category's width. */
function barPaths(index: number, count: number): uPlot.Series.PathBuilder {
  if (count === 1) return uPlot.paths.bars!({ size: [0.6, 48] });
  return uPlot.paths.bars!({ size: [0.3, 24], align: index === 0 ? -1 : 1 });
}

function seriesOptions(drawn: ChartSeries[]): uPlot.Series[] {
  const bars = drawn.filter((s) => s.kind === 'bars');
  return drawn.map((s, i) => {
    const stroke = colour(i);
    const base = { label: s.label, scale: s.scale, stroke, value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatValue(v, s.unit)) };
    if (s.kind === 'line') return { ...base, width: 2, points: { show: true, size: 5 } };
    return { ...base, width: 1, fill: `${stroke}99`, paths: barPaths(bars.indexOf(s), bars.length), points: { show: false } };
  });
}

function axisFont(): string {
  return `12px ${getComputedStyle(document.body).fontFamily}`;
}

function options(spec: ChartSpec, width: number): uPlot.Options {
  const drawn = spec.series.filter((s) => !s.tableOnly);
  const muted = getComputedStyle(document.documentElement).getPropertyValue('--muted').trim();
  const line = getComputedStyle(document.documentElement).getPropertyValue('--line').trim();
  const unitOf = (scale: 'y' | 'y2') => drawn.find((s) => s.scale === scale)?.unit ?? 'count';
  const yAxis = (scale: 'y' | 'y2'): uPlot.Axis => ({
    scale,
    side: scale === 'y' ? 3 : 1,
    stroke: muted,
    font: axisFont(),
    grid: { show: scale === 'y', stroke: line, width: 1 },
    ticks: { show: false },
    size: 56,
    values: (_u, ticks) => ticks.map((t) => formatValue(t, unitOf(scale))),
    // Counts are whole: no 0.5 jobs on the axis.
    ...(unitOf(scale) === 'count' ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000] } : {}),
  });
  // One label per day or category, thinned out when they would overlap (a phone's width).
  const xAxis: uPlot.Axis = {
    stroke: muted,
    font: axisFont(),
    grid: { show: false },
    ticks: { show: false },
    splits: (u: uPlot) => spec.x.filter((_, i) => i % labelStep(spec, u) === 0),
    values: (u: uPlot, ticks: number[]) => ticks.map((t) => clip(spec.xLabels[spec.x.indexOf(t)] ?? '', spec.time ? Infinity : labelRoom(spec, u))),
  };
  const hasY2 = drawn.some((s) => s.scale === 'y2');
  const step = spec.time ? 86_400 : 1;
  return {
    width,
    height: HEIGHT,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    cursor: { drag: { x: false, y: false } },
    legend: { show: true, live: true },
    scales: {
      // Half a step of room on both sides, so the first and last bars are whole.
      x: { time: spec.time, range: (_u, min, max) => [min - step / 2, max + step / 2] },
      y: { range: (_u, _min, max) => [0, niceMax(max, unitOf('y'))] },
      y2: { range: (_u, _min, max) => [0, niceMax(max, unitOf('y2'))] },
    },
    axes: hasY2 ? [xAxis, yAxis('y'), yAxis('y2')] : [xAxis, yAxis('y')],
    series: [{ label: spec.xHeader, value: (_u, v) => (v === null ? '—' : spec.xLabels[spec.x.indexOf(v)] ?? '') }, ...seriesOptions(drawn)],
  };
}

/** Axis labels are about this wide per character (12 px system font), plus a gap between them. */
const CHAR_PX = 7;
const GAP_PX = 16;
/** A few categories (agents, models) keep every label, shortened; more (days, buckets) are thinned out. */
const FEW = 6;

function plotWidth(u: uPlot): number {
  return u.bbox.width / (window.devicePixelRatio || 1) || u.width;
}

/** Every how many x a label fits: the longest label's width, estimated, against the plot's width. */
function labelStep(spec: ChartSpec, u: uPlot): number {
  if (!spec.time && spec.x.length <= FEW) return 1;
  const widest = Math.max(...spec.xLabels.map((label) => label.length)) * CHAR_PX + GAP_PX;
  return Math.max(1, Math.ceil((spec.x.length * widest) / plotWidth(u)));
}

/** Characters a label may have when every category keeps its label. */
function labelRoom(spec: ChartSpec, u: uPlot): number {
  return spec.x.length <= FEW ? Math.max(4, Math.floor((plotWidth(u) / spec.x.length - GAP_PX) / CHAR_PX)) : Infinity;
}

function clip(label: string, room: number): string {
  return label.length > room ? `${label.slice(0, room - 1)}…` : label;
}

/** Headroom above the largest value; an empty chart still gets an axis. */
function niceMax(max: number | null, unit: string): number {
  if (max === null || !Number.isFinite(max) || max <= 0) return unit === 'cost' ? 1 : 4;
  return max * 1.1;
}

/**
 * A uPlot chart that fills its container's width (down to a phone's), with its numbers in a table
 * below for screen readers and for reading. The canvas is an image labelled by the summary.
 */
export function Chart({ spec }: { spec: ChartSpec }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const drawn = spec.series.filter((s) => !s.tableOnly);
    const data = [spec.x, ...drawn.map((s) => s.values)] as uPlot.AlignedData;
    const plot = new uPlot(options(spec, Math.max(200, el.clientWidth)), data, el);
    const observer = new ResizeObserver(() => {
      const width = Math.max(200, el.clientWidth);
      if (width !== plot.width) plot.setSize({ width, height: HEIGHT });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [spec]);
  const table = tableOf(spec);
  return (
    <figure className="stats-chart" data-chart={spec.id}>
      <figcaption className="stats-summary">{spec.summary}</figcaption>
      <div ref={box} className="stats-canvas" role="img" aria-label={`${spec.title}: ${spec.summary}`} />
      <details className="stats-numbers">
        <summary>The numbers</summary>
        <div className="stats-table-scroll">
          <table className="table">
            <caption className="visually-hidden">{spec.title}</caption>
            <thead>
              <tr>
                {table.head.map((cell) => (
                  <th key={cell} scope="col">
                    {cell}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row, i) => (
                <tr key={spec.xLabels[i] ?? i}>
                  {row.map((cell, j) => (j === 0 ? <th key={j} scope="row">{cell}</th> : <td key={j}>{cell}</td>))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
