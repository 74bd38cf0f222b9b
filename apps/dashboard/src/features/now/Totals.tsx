import { useEffect, useMemo, useState } from 'react';
import type { Stats } from '@flotilla/protocol';
import { client } from '../../api/client';
import { useLive, useLiveEvents } from '../../live/hooks';
import { Stat } from '../../ui/components';
import { formatCost, formatTokens } from '../../ui/format';

/** Running and queued from the live state; the last 24 hours from `/api/stats`, refetched as jobs end. */
export function Totals() {
  const jobs = useLive((s) => s.jobs);
  const [stats, setStats] = useState<Stats | null>(null);
  const [stale, setStale] = useState(0);
  useLiveEvents((event) => {
    if (event.type === 'job.ended' || event.type === 'job.created') setStale((n) => n + 1);
  });
  useEffect(() => {
    const timer = setTimeout(() => client.stats({ days: 1 }).then(setStats, () => undefined), stale === 0 ? 0 : 1000);
    return () => clearTimeout(timer);
  }, [stale]);
  const live = useMemo(() => {
    let running = 0;
    let queued = 0;
    for (const job of jobs.values()) {
      if (job.status === 'running' || job.status === 'starting') running += 1;
      else if (job.status === 'queued' || job.status === 'retry_wait') queued += 1;
    }
    return { running, queued };
  }, [jobs]);
  const done = stats ? (stats.byStatus.succeeded ?? 0) : null;
  const failures = stats ? Object.entries(stats.failuresByKind).sort((a, b) => b[1] - a[1]) : [];
  const usage = stats?.totals.usage;
  const tokens = usage ? usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens : null;
  return (
    <div className="stats" data-testid="totals">
      <Stat label="running" value={live.running} />
      <Stat label="queued" value={live.queued} />
      <Stat label="succeeded, 24 h" value={done ?? '—'} />
      <Stat
        label="failed attempts, 24 h"
        value={failures.reduce((n, [, count]) => n + count, 0)}
        hint={failures.map(([kind, count]) => `${kind.replace(/_/g, ' ')}: ${count}`).join('\n') || 'no failures'}
      />
      <Stat label="tokens, 24 h" value={formatTokens(tokens)} />
      <Stat label="cost, 24 h" value={formatCost(stats?.totals.costUsd)} />
      {failures.length > 0 ? (
        <div className="stat failures-by-kind">
          <div className="stat-label">failures by kind</div>
          <ul className="plain">
            {failures.map(([kind, count]) => (
              <li key={kind}>
                {kind.replace(/_/g, ' ')}: <strong>{count}</strong>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
