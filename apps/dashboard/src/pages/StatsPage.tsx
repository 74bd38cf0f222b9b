import 'uplot/dist/uPlot.min.css';
import '../features/stats/stats.css';
import { useEffect, useMemo, useState } from 'react';
import type { Stats } from '@flotilla/protocol';
import { client, describeError } from '../api/client';
import { useLiveEvents } from '../live/hooks';
import { Button, ErrorNote, Loading, Section } from '../ui/components';
import { Chart } from '../features/stats/Chart';
import { chartsOf } from '../features/stats/series';

const PERIODS = [7, 30, 90] as const;
/** Jobs that end close together refetch once. */
const REFETCH_DELAY_MS = 2000;

/** Charts of the last 7, 30 or 90 days from `/api/stats`, refetched as jobs end. */
export function StatsPage(_props: { params: Record<string, string> }) {
  const [days, setDays] = useState<number>(30);
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState(0);
  useLiveEvents((event) => {
    if (event.type === 'job.ended' || event.type === 'job.created') setStale((n) => n + 1);
  });
  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(
      () =>
        client.stats({ days }).then(
          (next) => {
            if (cancelled) return;
            setStats(next);
            setError(null);
          },
          (e: unknown) => !cancelled && setError(describeError(e)),
        ),
      stale === 0 ? 0 : REFETCH_DELAY_MS,
    );
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [days, stale]);
  useEffect(() => setStale(0), [days]);
  const charts = useMemo(() => (stats ? chartsOf(stats, Date.now()) : null), [stats]);
  const picker = (
    <div className="stats-period" role="group" aria-label="period">
      {PERIODS.map((n) => (
        <Button key={n} aria-pressed={days === n} onClick={() => setDays(n)}>
          {n} days
        </Button>
      ))}
    </div>
  );
  return (
    <div className="page" data-testid="stats">
      <Section title="Stats" id="stats-head" actions={picker}>
        <p className="muted">
          The last {days} days on {stats?.host ?? 'this server'}, by the day jobs were created (UTC days). Every chart has its numbers below it.
        </p>
        <ErrorNote error={error} />
      </Section>
      <div className="stats-grid">
        {charts
          ? charts.map((spec) => (
              <Section key={spec.id} title={spec.title} id={`chart-${spec.id}`}>
                <Chart spec={spec} />
              </Section>
            ))
          : Array.from({ length: 6 }, (_, i) => (
              <Section key={i} title="…">
                <Loading lines={8} />
              </Section>
            ))}
      </div>
    </div>
  );
}
