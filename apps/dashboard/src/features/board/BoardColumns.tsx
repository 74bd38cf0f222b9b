import { useMemo, useState, type KeyboardEvent } from 'react';
import type { Task, TaskStatus } from '@flotilla/protocol';
import { Button } from '../../ui/components';
import { blockedWords, boardColumns, COLUMNS, openDependencies } from './board';
import { TaskCard } from './TaskCard';

/** Only a task nobody holds yet can be waiting for its prerequisites. */
const WAITING = new Set<TaskStatus>(['proposed', 'todo']);
/** Finished cards shown before "Show all": the columns that only grow stay short. */
const FINISHED_SHOWN = 20;

/**
 * The kanban: one column per status, side by side on a wide screen, stacked on a phone. Arrow
 * keys move between cards (up/down in a column, left/right across columns); Tab works as usual.
 */
export function BoardColumns({ tasks }: { tasks: ReadonlyMap<string, Task> }) {
  const columns = useMemo(() => boardColumns(tasks.values()), [tasks]);
  const blocked = useMemo(() => {
    const words = new Map<string, string | null>();
    for (const task of tasks.values()) if (task.after.length && WAITING.has(task.status)) words.set(task.id, blockedWords(openDependencies(task, tasks)));
    return words;
  }, [tasks]);
  return (
    <div className="board" data-testid="board" onKeyDown={moveFocus}>
      {COLUMNS.map((column, index) => (
        <Column key={column.status} status={column.status} label={column.label} hint={column.hint} index={index} tasks={columns[column.status]} blocked={blocked} />
      ))}
    </div>
  );
}

function Column({ status, label, hint, index, tasks, blocked }: { status: TaskStatus; label: string; hint: string; index: number; tasks: Task[]; blocked: ReadonlyMap<string, string | null> }) {
  const [all, setAll] = useState(false);
  const finished = status === 'done' || status === 'failed';
  const shown = finished && !all ? tasks.slice(0, FINISHED_SHOWN) : tasks;
  const id = `board-col-${status}`;
  return (
    <section className={`board-col col-${status}`} aria-labelledby={id} data-column={status}>
      <h2 id={id} className="board-col-head" title={hint}>
        {label} <span className="muted board-count">{tasks.length}</span>
      </h2>
      {tasks.length === 0 ? <p className="empty board-empty">{EMPTY[status]}</p> : null}
      <ol className="board-cards">
        {shown.map((task, row) => (
          <TaskCard key={task.id} task={task} blocked={blocked.get(task.id) ?? null} column={index} row={row} />
        ))}
      </ol>
      {shown.length < tasks.length ? <Button onClick={() => setAll(true)}>Show all {tasks.length}</Button> : null}
    </section>
  );
}

const EMPTY: Record<TaskStatus, string> = {
  proposed: 'Nothing waits for your approval.',
  todo: 'Nothing to claim.',
  doing: 'Nobody holds a task.',
  review: 'Nothing to review.',
  done: 'Nothing finished in the last day.',
  failed: 'Nothing failed in the last day.',
};

const MOVES: Record<string, [number, number]> = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };

/** Arrow keys from a card's title to its neighbour's; the nearest row in the next non-empty column. */
function moveFocus(event: KeyboardEvent<HTMLDivElement>): void {
  const move = MOVES[event.key];
  const from = event.target as HTMLElement;
  if (!move || event.altKey || event.ctrlKey || event.metaKey || from.dataset.col === undefined) return;
  const col = Number(from.dataset.col);
  const row = Number(from.dataset.row);
  const titles = [...event.currentTarget.querySelectorAll<HTMLElement>('.task-title')];
  const at = (c: number) => titles.filter((el) => Number(el.dataset.col) === c);
  let target: HTMLElement | undefined;
  if (move[0] === 0) target = at(col).find((el) => Number(el.dataset.row) === row + move[1]);
  else
    for (let c = col + move[0]; c >= 0 && c < COLUMNS.length && !target; c += move[0]) {
      const cards = at(c);
      target = cards[Math.min(row, cards.length - 1)];
    }
  if (!target) return;
  event.preventDefault();
  target.focus();
}
