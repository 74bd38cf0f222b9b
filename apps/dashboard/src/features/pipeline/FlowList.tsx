import type { PipelineFlow, PipelineFlowStep } from '@flotilla/protocol';
import { Link } from '../../app/router';
import { Badge } from '../../ui/components';
import { formatSince, formatTime } from '../../ui/format';
import type { Tone } from '../../ui/words';
import { findingsWords } from './pipeline-state';

const FLOW_TONE: Record<PipelineFlow['state'], Tone> = { running: 'active', approved: 'good', completed: 'good', not_approved: 'warn', failed: 'bad' };
const STEP_TONE: Record<PipelineFlowStep['status'], Tone> = { running: 'active', succeeded: 'good', failed: 'bad' };

/** A director's flows: each with its state and the step it is at; open, every step's job, verdict and note. */
export function FlowList({ flows, now }: { flows: readonly PipelineFlow[]; now: number }) {
  return (
    <ul className="pipeline-flows" data-testid="pipeline-flows">
      {flows.map((flow) => (
        <li key={flow.id} className="pipeline-flow" data-flow={flow.id} data-state={flow.state}>
          <details open={flow.state === 'running'}>
            <summary>
              <span className="pipeline-flow-name">{flow.name}</span> <Badge tone={FLOW_TONE[flow.state]}>{flow.state.replace(/_/g, ' ')}</Badge>{' '}
              <span className="muted">
                {flow.repo}
                {flow.currentStep ? ` · at ${flow.currentStep}` : ''}
                {flow.rounds > 1 ? ` · round ${flow.rounds}` : ''} · {flow.state === 'running' ? `for ${formatSince(flow.createdAt, now)}` : `ended ${formatTime(flow.endedAt ?? flow.updatedAt, now)}`}
              </span>
            </summary>
            <p className="pipeline-task">{flow.task}</p>
            {flow.reason ? <p className="pipeline-reason">{flow.reason}</p> : null}
            <ol className="pipeline-steps">
              {flow.steps.map((step) => (
                <FlowStep key={`${step.position}:${step.round}:${step.attempt}`} step={step} now={now} />
              ))}
            </ol>
            <p className="muted pipeline-hint">
              Everything on record: <code>mesh flow show {flow.id}</code>
            </p>
          </details>
        </li>
      ))}
    </ul>
  );
}

function FlowStep({ step, now }: { step: PipelineFlowStep; now: number }) {
  const who = [step.agent, step.model].filter(Boolean).join(' · ');
  return (
    <li className="pipeline-step" data-step={step.name} data-status={step.status}>
      <div className="pipeline-step-head">
        <strong>{step.name}</strong> <span className="muted">{step.kind}</span>
        {step.round > 1 ? <span className="muted"> · round {step.round}</span> : null}
        {step.attempt > 1 ? <span className="muted"> · attempt {step.attempt}</span> : null}
        {who ? <span className="muted"> · {who}</span> : null} <Badge tone={STEP_TONE[step.status]}>{step.status === 'running' ? `running ${formatSince(step.startedAt, now)}` : step.status}</Badge>
        {step.verdict ? (
          <>
            {' '}
            <Badge tone={step.verdict === 'approved' ? 'good' : 'warn'}>{step.verdict.replace(/_/g, ' ')}</Badge>
          </>
        ) : null}
        {step.jobId ? (
          <>
            {' '}
            <Link to={`/jobs/${step.jobId}`}>job</Link>
          </>
        ) : null}
      </div>
      {step.findings ? <div className="muted">{findingsWords(step.findings)}</div> : null}
      {step.reason ? <div className="pipeline-reason">{step.reason}</div> : null}
      {step.note ? <p className="pipeline-note">{step.note}</p> : null}
    </li>
  );
}
