import { Link } from '../../app/router';
import { useLive, useNow } from '../../live/hooks';
import { Badge, Empty, Section } from '../../ui/components';
import { formatSince, formatTime } from '../../ui/format';
import type { Tone } from '../../ui/words';
import { sessionPath, useSessionRef } from '../sessions/session-ref';

const LEVEL_TONE: Record<string, Tone> = { info: 'muted', success: 'good', warning: 'warn', error: 'bad' };

/** Rate-limit pauses with their reset time, and the latest notifications (watchdog actions, results). */
export function Alerts({ limit = 8 }: { limit?: number }) {
  const pauses = useLive((s) => s.pauses);
  const alerts = useLive((s) => s.alerts);
  const sessions = useLive((s) => s.sessions);
  const refOf = useSessionRef();
  const now = useNow();
  return (
    <Section title="Alerts" id="alerts">
      {pauses.length === 0 && alerts.length === 0 ? <Empty>No alerts since this page opened.</Empty> : null}
      <ul className="rows" data-testid="alerts">
        {pauses.map((pause) => (
          <li key={pause.id} className="row" data-pause={pause.agent}>
            <div className="row-title">
              <strong>{pause.agent}</strong> paused on {pause.host}: {pause.message}
            </div>
            <div className="row-side">
              <Badge tone="warn">{pause.reason.replace(/_/g, ' ')}</Badge>
              <span className="since">resumes {formatTime(pause.resetsAt, now)}</span>
            </div>
          </li>
        ))}
        {alerts.slice(0, limit).map((alert) => {
          const session = alert.sessionId ? sessions.get(alert.sessionId) : undefined;
          const to = alert.jobId ? `/jobs/${alert.jobId}` : session ? sessionPath(refOf(session)) : null;
          return (
            <li key={alert.id} className="row" data-alert={alert.kind ?? alert.level}>
              <div>
                <div className="row-title">{to ? <Link to={to}>{alert.title}</Link> : alert.title}</div>
                <div className="row-meta">{alert.body}</div>
              </div>
              <div className="row-side">
                <Badge tone={LEVEL_TONE[alert.level] ?? 'muted'}>{(alert.kind ?? alert.level).replace(/_/g, ' ')}</Badge>
                <span className="since">{formatSince(alert.at, now)} ago</span>
              </div>
            </li>
          );
        })}
      </ul>
    </Section>
  );
}
