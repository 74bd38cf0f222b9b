import type { RecordedRequest, StepBase } from './types.js';

/** Walks a scenario, honouring `repeat`. Returns `undefined` once the script is exhausted. */
export interface ScenarioCursor<TStep extends StepBase> {
  next(): TStep | undefined;
  reset(steps: readonly TStep[]): void;
}

function timesOf(step: StepBase): number {
  if (step.repeat === undefined) return 1;
  if (step.repeat === 'forever') return Number.POSITIVE_INFINITY;
  return Math.max(1, step.repeat);
}

export function createScenarioCursor<TStep extends StepBase>(
  initial: readonly TStep[],
): ScenarioCursor<TStep> {
  let steps = initial;
  let index = 0;
  let usedOfCurrent = 0;
  return {
    next() {
      const step = steps[index];
      if (step === undefined) return undefined;
      usedOfCurrent += 1;
      if (usedOfCurrent >= timesOf(step)) {
        index += 1;
        usedOfCurrent = 0;
      }
      return step;
    },
    reset(next) {
      steps = next;
      index = 0;
      usedOfCurrent = 0;
    },
  };
}

/** Per-client scripts for a fake serving many clients (see `FakeServer.routeBy`). */
export interface ScenarioRoutes<TStep extends StepBase> {
  routeBy(keyOf: ((request: RecordedRequest) => string | null) | null): void;
  setScenarioFor(key: string, steps: readonly TStep[]): void;
  /** The next step for this request: its client's script when it has one, else the shared `fallback`. */
  next(request: RecordedRequest, fallback: ScenarioCursor<TStep>): TStep | undefined;
}

export function createScenarioRoutes<TStep extends StepBase>(): ScenarioRoutes<TStep> {
  let keyOf: ((request: RecordedRequest) => string | null) | null = null;
  const cursors = new Map<string, ScenarioCursor<TStep>>();
  return {
    routeBy(next) {
      keyOf = next;
    },
    setScenarioFor(key, steps) {
      const cursor = cursors.get(key);
      if (cursor) cursor.reset(steps);
      else cursors.set(key, createScenarioCursor(steps));
    },
    next(request, fallback) {
      const key = keyOf?.(request) ?? null;
      const own = key === null ? undefined : cursors.get(key);
      return own ? own.next() : fallback.next();
    },
  };
}
