import type { Attempt } from '@flotilla/protocol';
import { Badge, Section } from '../../ui/components';
import { firstLine, formatCost, formatDuration } from '../../ui/format';
import { FAILURE_WORDS, type Tone } from '../../ui/words';
import { Time } from './JobHeader';

const ATTEMPT_TONE: Record<Attempt['status'], Tone> = { starting: 'active', running: 'active', succeeded: 'good', failed: 'bad', cancelled: 'muted' };
const REASON_WORDS: Record<Attempt['reason'], string> = { new: 'first run', retry: 'retry', resume: 'follow-up' };

/** Each attempt of the job: why it ran, with which model, how it ended. */
export function Attempts({ attempts }: { attempts: readonly Attempt[] }) {
  if (attempts.length === 0) return null;
  return (
    <Section title={`Attempts (${attempts.length})`} id="attempts">
      <ol className="jp-attempts">
        {[...attempts].reverse().map((attempt) => (
          <li key={attempt.n} className="jp-attempt" data-attempt={attempt.n}>
            <div className="jp-attempt-head">
              <strong>#{attempt.n}</strong>
              <span>{REASON_WORDS[attempt.reason]}</span>
              <Badge tone={ATTEMPT_TONE[attempt.status]}>{attempt.status}</Badge>
              <span className="muted">{attempt.model ?? 'default model'}</span>
              {attempt.startedAt ? (
                <span className="muted">
                  <Time iso={attempt.startedAt} />
                  {attempt.endedAt ? ` · ${formatDuration(Date.parse(attempt.endedAt) - Date.parse(attempt.startedAt))}` : ''}
                </span>
              ) : null}
              <span className="muted">{formatCost(attempt.cost.usd)}</span>
              {attempt.exitCode !== null ? <span className="muted">exit {attempt.exitCode}</span> : null}
            </div>
            {attempt.reason === 'resume' ? <p className="jp-attempt-prompt">“{firstLine(attempt.prompt, 200)}”</p> : null}
            {attempt.failure ? (
              <p className="jp-attempt-failure">
                <code className="jp-kind">{attempt.failure.kind}</code> {FAILURE_WORDS[attempt.failure.kind]}
                {attempt.failure.message ? <span className="muted"> — {firstLine(attempt.failure.message, 300)}</span> : null}
                {attempt.consumedAttempt ? null : <span className="muted"> (did not count as a task attempt)</span>}
              </p>
            ) : null}
          </li>
        ))}
      </ol>
    </Section>
  );
}
