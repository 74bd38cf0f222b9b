import { useCallback, useEffect, useReducer, useRef } from 'react';
import { createPipelineClient } from '@flotilla/protocol';
import { describeError, transport } from '../../api/client';
import { useLive, useLiveEvents } from '../../live/hooks';
import { initialPipelineState, pipelineReducer, type PipelineState } from './pipeline-state';

const pipeline = createPipelineClient(transport);
/** Events of one burst (several directors reporting at once) cause one fetch. */
const COALESCE_MS = 250;

/**
 * Every director's pipeline, fetched when the page opens, after each `pipeline.changed` event, after
 * a `resync`, and when the stream comes back after being offline. Only when the server offers it.
 */
export function usePipeline(offered: boolean): PipelineState {
  const [state, dispatch] = useReducer(pipelineReducer, initialPipelineState);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const connection = useLive((s) => s.connection);

  const fetchList = useCallback(() => {
    pipeline.list().then(
      (directors) => dispatch({ type: 'listed', directors }),
      (error: unknown) => dispatch({ type: 'failed', error: describeError(error) }),
    );
  }, []);

  useEffect(() => {
    if (offered && connection === 'live') fetchList();
  }, [offered, connection, fetchList]);

  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );

  useLiveEvents((event) => {
    if (!offered || (event.type !== 'pipeline.changed' && event.type !== 'resync') || timer.current !== null) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      fetchList();
    }, COALESCE_MS);
  });

  return state;
}
