import { useEffect, useState, type ReactNode } from 'react';
import type { Task, TaskEvent, TaskStatus } from '@flotilla/protocol';
import { describeError } from '../../api/client';
import { hubClient } from '../../api/hub-client';
import { Link } from '../../app/router';
import { useLive } from '../../live/hooks';
import { Badge, ErrorNote, Loading, Section } from '../../ui/components';
import { formatFullTime, formatTime } from '../../ui/format';
import type { Tone } from '../../ui/words';
import { ApproveButton } from './ApproveButton';
import { blockedWords, findTask, openDependencies } from './board';
import { TaskHolderLine, TaskTags } from './TaskCard';

export const TASK_STATUS_WORDS: Record<TaskStatus, { label: string; tone: Tone }> = {
  proposed: { label: 'proposed — needs approval', tone: 'attention' },
  todo: { label: 'to do', tone: 'muted' },
  doing: { label: 'doing', tone: 'active' },
  review: { label: 'in review', tone: 'warn' },
  done: { label: 'done', tone: 'good' },
  failed: { label: 'failed', tone: 'bad' },
};

const EVENT_WORDS: Record<TaskEvent['kind'], string> = {
  added: 'added',
  approved: 'approved',
  claimed: 'claimed',
  completed: 'done',
  failed: 'failed',
  handed_off: 'handed off',
  expired: 'lease ran out',
  review_requested: 'asked for review',
  review_approved: 'review approved',
  changes_requested: 'changes requested',
};

/** One task, live from the store when it holds it (fetched otherwise): its facts and its history with notes. */
export function TaskDetail({ taskRef }: { taskRef: string }) {
  const tasks = useLive((s) => s.tasks);
  const live = findTask(tasks, taskRef);
  const inStore = live !== undefined;
  const [fetched, setFetched] = useState<{ ref: string; task: Task | null; error: string | null } | null>(null);
  useEffect(() => {
    if (inStore) return undefined;
    let alive = true;
    hubClient.task(taskRef).then(
      (task) => alive && setFetched({ ref: taskRef, task, error: null }),
      (error: unknown) => alive && setFetched({ ref: taskRef, task: null, error: describeError(error) }),
    );
    return () => {
      alive = false;
    };
  }, [taskRef, inStore]);
  const task = live ?? (fetched?.ref === taskRef ? fetched.task : null);
  if (!task) return fetched?.ref === taskRef ? <ErrorNote error={fetched.error} /> : <Loading lines={6} />;
  const words = TASK_STATUS_WORDS[task.status];
  const blocked = task.status !== 'todo' && task.status !== 'proposed' ? null : blockedWords(openDependencies(task, tasks));
  return (
    <>
      <header className="task-detail-head" data-testid="task-detail" data-status={task.status}>
        <h1>
          <span className="mono task-key">{task.key}</span> {task.title} <Badge tone={words.tone}>{words.label}</Badge>
        </h1>
        <TaskTags task={task} />
        <TaskHolderLine task={task} />
        {blocked ? <p className="task-blocked">{blocked}</p> : null}
        <TaskFacts task={task} />
        {task.status === 'proposed' ? <ApproveButton task={task} /> : null}
      </header>
      {task.body ? (
        <Section title="Details" id="task-body">
          <p className="task-body">{task.body}</p>
        </Section>
      ) : null}
      <Section title="History" id="task-history">
        <TaskHistory history={task.history} />
      </Section>
    </>
  );
}

function TaskFacts({ task }: { task: Task }) {
  const facts: Array<[string, ReactNode]> = [
    ['for', task.for ?? 'anyone'],
    ['attempts', String(task.attempts)],
    ['fencing token', String(task.token)],
    ['added', <time dateTime={task.createdAt} title={formatFullTime(task.createdAt)}>{formatTime(task.createdAt)}</time>],
  ];
  if (task.after.length) facts.push(['after', task.after.join(', ')]);
  if (task.branch) facts.push(['branch', <span className="mono">{task.branch}</span>]);
  if (task.previousJobId) facts.push(['previous job', <Link to={`/jobs/${encodeURIComponent(task.previousJobId)}`}>{task.previousJobId}</Link>]);
  return (
    <dl className="task-facts">
      {facts.map(([label, value]) => (
        <div key={label} className="task-fact">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function TaskHistory({ history }: { history: readonly TaskEvent[] }) {
  return (
    <ol className="task-history" data-testid="task-history">
      {history.map((entry, i) => (
        <li key={i} className={`task-history-line kind-${entry.kind}`}>
          <time dateTime={entry.at} title={formatFullTime(entry.at)}>
            {formatTime(entry.at, Date.now(), { seconds: true })}
          </time>{' '}
          <span className="task-history-kind">{EVENT_WORDS[entry.kind]}</span>{' '}
          <span className="task-history-text">
            {entry.by ? <span className="mono">{entry.host ? `${entry.by}@${entry.host}` : entry.by}</span> : null}
            {entry.to ? <span> → {entry.to}</span> : null}{' '}
            {entry.note ? <span className="task-note">{entry.note}</span> : null}{' '}
            {entry.branch ? <span className="mono muted">branch {entry.branch}</span> : null}
            {entry.jobId ? (
              <>
                {' · '}
                <Link to={`/jobs/${encodeURIComponent(entry.jobId)}`}>job</Link>
              </>
            ) : null}
          </span>
        </li>
      ))}
    </ol>
  );
}
