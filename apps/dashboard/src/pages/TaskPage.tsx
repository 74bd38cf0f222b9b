import { Link } from '../app/router';
import { TaskDetail } from '../features/board/TaskDetail';
import '../features/board/board.css';

/** `/board/:ref` (an id or a key such as `AUTH-12`): one task with its history. */
export function TaskPage({ params }: { params: Record<string, string> }) {
  return (
    <div className="page">
      <p className="crumbs">
        <Link to="/board">Board</Link> /
      </p>
      <TaskDetail taskRef={params.ref ?? ''} />
    </div>
  );
}
