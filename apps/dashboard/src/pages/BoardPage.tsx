import { useLive } from '../live/hooks';
import { HubOnly } from '../features/hosts/HubOnly';
import { Loading } from '../ui/components';
import { AddTaskForm } from '../features/board/AddTaskForm';
import { BoardColumns } from '../features/board/BoardColumns';
import '../features/board/board.css';

/** `/board` (hub only): the task board, live — who holds what, leases, handoffs — and a form to add work. */
export function BoardPage(_props: { params: Record<string, string> }) {
  const tasks = useLive((s) => s.tasks);
  const capabilities = useLive((s) => s.capabilities);
  return (
    <div className="page" data-testid="board-page">
      <h1>Board</h1>
      <HubOnly feature="board">
        <div className="board-add">
          <AddTaskForm />
        </div>
        {capabilities === null ? <Loading lines={8} /> : <BoardColumns tasks={tasks} />}
      </HubOnly>
    </div>
  );
}
