import { memo } from 'react';
import type { Task } from '@flotilla/protocol';
import { Link } from '../../app/router';
import { Badge } from '../../ui/components';
import { firstLine } from '../../ui/format';
import { ApproveButton } from './ApproveButton';
import { holderLink, holderWords, lastHandoff } from './board';
import { LeaseLeft } from './LeaseLeft';

export const taskPath = (task: Task) => `/board/${encodeURIComponent(task.key)}`;

/** The task's tags and priority (normal priority is not worth a word). */
export function TaskTags({ task }: { task: Task }) {
  if (task.priority === 'normal' && task.tags.length === 0) return null;
  return (
    <div className="task-tags">
      {task.priority !== 'normal' ? <Badge tone={task.priority === 'high' ? 'attention' : 'muted'}>{task.priority} priority</Badge> : null}
      {task.tags.map((tag) => (
        <span key={tag} className="task-tag">
          {tag}
        </span>
      ))}
    </div>
  );
}

/** Who holds it, where its work is seen, and the lease left. */
export function TaskHolderLine({ task }: { task: Task }) {
  if (!task.holder) return null;
  const link = holderLink(task.holder);
  return (
    <div className="task-line">
      <span>
        held by <span className="mono">{holderWords(task.holder)}</span>
        {link ? (
          <>
            {' · '}
            <Link to={link.to}>{link.label}</Link>
          </>
        ) : null}
      </span>
      {task.leaseExpiresAt && task.status === 'doing' ? <LeaseLeft expiresAt={task.leaseExpiresAt} /> : null}
    </div>
  );
}

/**
 * One card: key, title, tags, priority, holder and lease, attempts, what it waits for, the last
 * handoff. Memoised: a lease tick re-renders only the countdown inside, an event only the cards it
 * changed.
 */
export const TaskCard = memo(function TaskCard({ task, blocked, column, row }: { task: Task; blocked: string | null; column: number; row: number }) {
  const handoff = lastHandoff(task);
  return (
    <li className="task-card" data-task-key={task.key} data-status={task.status}>
      <div className="task-head">
        <span className="task-key mono">{task.key}</span>
        {task.attempts > 0 ? <span className="muted">{task.attempts === 1 ? '1 attempt' : `${task.attempts} attempts`}</span> : null}
      </div>
      <Link to={taskPath(task)} className="task-title" data-col={column} data-row={row}>
        {firstLine(task.title, 140)}
      </Link>
      <TaskTags task={task} />
      {task.for ? <div className="task-line muted">for {task.for}</div> : null}
      <TaskHolderLine task={task} />
      {blocked ? <div className="task-line task-blocked">{blocked}</div> : null}
      {handoff ? (
        <div className="task-line task-handoff">
          <span className="muted">handed to {handoff.to ?? 'the next agent'}:</span> {firstLine(handoff.note ?? '', 160) || 'no note'}
          {handoff.branch ?? task.branch ? <span className="mono task-branch"> · {handoff.branch ?? task.branch}</span> : null}
        </div>
      ) : null}
      {task.status === 'proposed' ? <ApproveButton task={task} /> : null}
    </li>
  );
});
