import type { DirectorPipeline, PipelineInFlight } from '@flotilla/protocol';
import { Badge, Empty } from '../../ui/components';
import { formatDuration, formatFullTime, formatSince, formatTime } from '../../ui/format';
import { FlowList } from './FlowList';
import { attemptsWords, deliveredSince, orderedFlows, pauseInForce, safeLink, staleAt } from './pipeline-state';

const DAY_MS = 24 * 3600_000;
/** Tickets listed per repo before "and N more". */
const QUEUE_SHOWN = 5;

/** One director's pipeline: its pause, what runs, what waits, its flows and what it delivered. */
export function DirectorCard({ director, now }: { director: DirectorPipeline; now: number }) {
  const pause = pauseInForce(director, now);
  const stale = staleAt(director, now);
  const { status } = director;
  const delivered = deliveredSince(director, now - DAY_MS);
  const waiting = status.queue.reduce((sum, q) => sum + q.count, 0);
  const failingHosts = status.lastCycle?.preflight?.filter((h) => !h.ok) ?? [];
  return (
    <article className="pipeline-director" data-director={director.id} data-paused={pause ? 'yes' : 'no'} data-stale={stale ? 'yes' : 'no'}>
      <header className="pipeline-head">
        <h2>{director.id}</h2>
        <span className="muted" title={formatFullTime(director.updatedAt)}>
          on {director.host} · reported {formatSince(director.updatedAt, now)} ago
        </span>
        {pause ? <Badge tone="warn">paused</Badge> : stale ? <Badge tone="muted">quiet</Badge> : <Badge tone={status.inFlight.some((b) => b.running) ? 'active' : 'good'}>{status.inFlight.some((b) => b.running) ? 'working' : 'idle'}</Badge>}
      </header>
      {pause ? (
        <p className="pipeline-banner pipeline-paused" role="status" data-testid="pipeline-pause">
          <strong>Paused until {formatTime(pause.until, now)}</strong> (in {formatDuration(Date.parse(pause.until) - now)}): {pause.reason}. Nothing is dispatched until then, and no ticket loses an attempt.
        </p>
      ) : null}
      {stale ? (
        <p className="pipeline-banner pipeline-stale" role="status">
          No report for {formatSince(director.updatedAt, now)}: the director may be stopped or unable to reach the hub. This is its last report.
        </p>
      ) : null}
      {failingHosts.map((host) => (
        <p key={host.host} className="pipeline-banner pipeline-failing">
          <strong>{host.host}</strong> failed its pre-flight: {host.detail}
        </p>
      ))}
      {status.lastCycle?.sourceErrors.map((error, index) => (
        <p key={`${error.source}:${index}`} className="pipeline-banner pipeline-failing">
          <strong>{error.source}</strong> could not be read ({error.code}): {error.message}
        </p>
      ))}

      <h3>In flight {status.inFlight.length ? <span className="muted">· {status.inFlight.length}</span> : null}</h3>
      {status.inFlight.length === 0 ? <Empty>Nothing in flight.</Empty> : null}
      <ul className="rows" data-testid="pipeline-in-flight">
        {status.inFlight.map((batch) => (
          <InFlightRow key={batch.batchId} batch={batch} now={now} />
        ))}
      </ul>

      <h3>Queue {waiting ? <span className="muted">· {waiting} waiting</span> : null}</h3>
      {waiting === 0 ? <Empty>No ticket waits.</Empty> : null}
      <ul className="pipeline-queue" data-testid="pipeline-queue">
        {status.queue
          .filter((q) => q.count > 0)
          .map((q) => (
            <li key={q.repo} data-repo={q.repo}>
              <strong>{q.repo}</strong> <span className="muted">· {q.count} waiting</span>
              <ul>
                {q.tickets.slice(0, QUEUE_SHOWN).map((t) => (
                  <li key={t.key}>
                    <span className="muted">{t.key}</span> {t.title}
                  </li>
                ))}
                {q.count > QUEUE_SHOWN ? <li className="muted">and {q.count - QUEUE_SHOWN} more</li> : null}
              </ul>
            </li>
          ))}
      </ul>

      {director.flows.length > 0 ? (
        <>
          <h3>Flows</h3>
          <FlowList flows={orderedFlows(director)} now={now} />
        </>
      ) : null}

      <h3>Delivered in the last 24 h {delivered.length ? <span className="muted">· {delivered.length}</span> : null}</h3>
      {delivered.length === 0 ? <Empty>No pull request or branch yet.</Empty> : null}
      <ul className="rows" data-testid="pipeline-delivered">
        {delivered.map((d) => {
          const link = safeLink(d.url);
          const name = d.kind === 'pull_request' ? `${d.repo}${d.number ? ` #${d.number}` : ''}` : `${d.repo} ${d.branch}`;
          return (
            <li key={`${d.kind}:${d.repo}:${d.branch}:${d.at}`} className="row">
              <div>
                <div className="row-title">{link ? <a href={link} target="_blank" rel="noreferrer">{name}</a> : name}</div>
                <div className="row-meta">{d.tickets.map((t) => `${t.key} ${t.title}`).join(' · ')}</div>
              </div>
              <div className="row-side">
                <Badge tone="good">{d.kind === 'pull_request' ? (d.adopted ? 'PR adopted' : 'PR') : 'branch'}</Badge>
                <span className="since">{formatTime(d.at, now)}</span>
              </div>
            </li>
          );
        })}
      </ul>

      {status.gaveUp.length > 0 ? (
        <>
          <h3>Given up</h3>
          <ul className="rows">
            {status.gaveUp.map((g) => (
              <li key={`${g.repo}:${g.branch}:${g.at}`} className="row">
                <div>
                  <div className="row-title">{g.tickets.map((t) => `${t.key} ${t.title}`).join(' · ')}</div>
                  <div className="row-meta">{g.note ?? g.branch}</div>
                </div>
                <div className="row-side">
                  <span className="since">{formatTime(g.at, now)}</span>
                </div>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {status.failures.length > 0 ? (
        <p className="muted pipeline-failures">
          Failures in the last 24 h: {status.failures.map((f) => `${f.kind.replace(/_/g, ' ')} ${f.count}${f.burned < f.count ? ` (${f.count - f.burned} free)` : ''}`).join(' · ')}
        </p>
      ) : null}
    </article>
  );
}

function InFlightRow({ batch, now }: { batch: PipelineInFlight; now: number }) {
  const doing = batch.running ? `running${batch.since ? ` for ${formatSince(batch.since, now)}` : ''}` : batch.active ? batch.stage : 'waiting for its next attempt';
  return (
    <li className="row" data-batch={batch.batchId}>
      <div>
        <div className="row-title">{batch.tickets.map((t) => `${t.key} ${t.title}`).join(' · ')}</div>
        <div className="row-meta">
          {batch.repo} · {batch.branch}
          {batch.step ? ` · step ${batch.step}` : ''}
          {batch.model ? ` · ${batch.model}` : ''} · {attemptsWords(batch.attempts)}
        </div>
        {batch.lastFailure ? (
          <div className="row-meta">
            last attempt: {batch.lastFailure.kind.replace(/_/g, ' ')}
            {batch.lastFailure.burned ? '' : ' (free)'}
            {batch.lastFailure.message ? ` — ${batch.lastFailure.message}` : ''}
          </div>
        ) : null}
      </div>
      <div className="row-side">
        <Badge tone={batch.running ? 'active' : 'muted'}>{doing}</Badge>
      </div>
    </li>
  );
}
