import { useLive } from '../live/hooks';
import { Loading } from '../ui/components';
import { NewJobForm } from '../features/new-job/NewJobForm';
import '../features/new-job/new-job.css';

/** `/new`: start a job, as `cb "…"` does. */
export function NewJobPage(_props: { params: Record<string, string> }) {
  const capabilities = useLive((s) => s.capabilities);
  return (
    <div className="page">
      <h1>New job</h1>
      {capabilities ? <NewJobForm capabilities={capabilities} /> : <div data-testid="new-job"><Loading lines={6} /></div>}
    </div>
  );
}
