import { isStale, type DirectorPipeline, type PipelineDelivery, type PipelineFlow, type PipelineFlowStep } from '@flotilla/protocol';

/**
 * The Pipeline page's state: every director's latest report as the hub answered it. The page fetches
 * the list on load and again (coalesced) after each `pipeline.changed` event, which says a director
 * pushed a newer report. Replaced, never mutated.
 */
export interface PipelineState {
  directors: ReadonlyMap<string, DirectorPipeline>;
  /** The first list has arrived. */
  loaded: boolean;
  /** Why the last fetch failed, in words; null after one succeeded. */
  error: string | null;
}

export type PipelineAction = { type: 'listed'; directors: readonly DirectorPipeline[] } | { type: 'failed'; error: string };

export const initialPipelineState: PipelineState = { directors: new Map(), loaded: false, error: null };

export function pipelineReducer(state: PipelineState, action: PipelineAction): PipelineState {
  switch (action.type) {
    case 'listed': {
      const directors = new Map<string, DirectorPipeline>();
      // Two fetches may answer out of order: a report older than the one shown never replaces it.
      for (const report of action.directors) {
        const shown = state.directors.get(report.id);
        directors.set(report.id, shown && Date.parse(shown.updatedAt) > Date.parse(report.updatedAt) ? shown : report);
      }
      return { directors, loaded: true, error: null };
    }
    case 'failed':
      return { ...state, error: action.error };
  }
}

/** Paused directors first (they need a look), then the stale, then the rest; by id within each. */
export function orderedDirectors(state: PipelineState, now: number): DirectorPipeline[] {
  const rank = (d: DirectorPipeline): number => (pauseInForce(d, now) ? 0 : staleAt(d, now) ? 1 : 2);
  return [...state.directors.values()].sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
}

/** Stale as the hub said, or gone quiet since it answered (the page may stay open for hours). */
export function staleAt(director: DirectorPipeline, now: number): boolean {
  return director.stale || isStale(director, now);
}

/** The pause, while it lasts. */
export function pauseInForce(director: DirectorPipeline, now: number): DirectorPipeline['status']['pause'] {
  const pause = director.status.pause;
  return pause !== null && Date.parse(pause.until) > now ? pause : null;
}

/** Pull requests and branches since `since` (epoch ms), newest first: what tonight delivered. */
export function deliveredSince(director: DirectorPipeline, since: number): PipelineDelivery[] {
  return director.status.delivered.filter((d) => Date.parse(d.at) >= since).sort((a, b) => b.at.localeCompare(a.at));
}

/** Running flows first, then the most recently changed. */
export function orderedFlows(director: DirectorPipeline): PipelineFlow[] {
  return [...director.flows].sort((a, b) => Number(b.state === 'running') - Number(a.state === 'running') || b.updatedAt.localeCompare(a.updatedAt));
}

/** A link the page may render: http(s) only (a report is another machine's words). */
export function safeLink(url: string | null): string | null {
  if (url === null) return null;
  return /^https?:\/\//i.test(url) ? url : null;
}

/** `2 of 3 attempts used` / `1 attempt used` when the limit is unknown. */
export function attemptsWords(attempts: DirectorPipeline['status']['inFlight'][number]['attempts']): string {
  const used = attempts.allowed === null ? `${attempts.used} ${attempts.used === 1 ? 'attempt' : 'attempts'} used` : `${attempts.used} of ${attempts.allowed} attempts used`;
  return attempts.free > 0 ? `${used} (+${attempts.free} free: infrastructure)` : used;
}

/** `3 findings: 2 verified, 1 unverified` (external ones named: nobody should act on them). */
export function findingsWords(findings: NonNullable<PipelineFlowStep['findings']>): string {
  const total = findings.verified + findings.unverified + findings.external;
  if (total === 0) return 'no findings';
  const parts = [`${findings.verified} verified`, findings.unverified > 0 ? `${findings.unverified} unverified` : null, findings.external > 0 ? `${findings.external} asking for outside changes without evidence` : null];
  return `${total} ${total === 1 ? 'finding' : 'findings'}: ${parts.filter(Boolean).join(', ')}`;
}
