import { useMemo } from 'react';
import { useLive, useNow } from '../live/hooks';
import { Empty, ErrorNote, Loading } from '../ui/components';
import { DirectorCard } from '../features/pipeline/DirectorCard';
import { orderedDirectors } from '../features/pipeline/pipeline-state';
import { usePipeline } from '../features/pipeline/use-pipeline';
import '../features/pipeline/pipeline.css';

/** `/pipeline` (a hub): every director's pipeline as it last reported it — pause, work in flight, queue, flows, deliveries — live. */
export function PipelinePage(_props: { params: Record<string, string> }) {
  const capabilities = useLive((s) => s.capabilities);
  const offered = capabilities?.features.includes('pipeline') ?? false;
  const state = usePipeline(offered);
  const now = useNow(15_000);
  const directors = useMemo(() => orderedDirectors(state, now), [state, now]);
  return (
    <div className="page" data-testid="pipeline-page">
      <h1>Pipeline</h1>
      {capabilities !== null && !offered ? (
        <Empty>
          This server ({capabilities.host}) does not keep directors’ pipelines: run <code>mesh serve</code> and point the director at it; <code>mesh director status</code> shows a director’s pipeline from its ledger.
        </Empty>
      ) : null}
      <ErrorNote error={state.error} />
      {offered && !state.loaded && state.error === null ? <Loading lines={6} /> : null}
      {offered && state.loaded && directors.length === 0 ? (
        <Empty>
          No director has reported yet. <code>mesh director start</code> pushes its pipeline here after every cycle.
        </Empty>
      ) : null}
      <div className="pipeline-directors" data-testid="pipeline-directors">
        {directors.map((director) => (
          <DirectorCard key={director.id} director={director} now={now} />
        ))}
      </div>
    </div>
  );
}
