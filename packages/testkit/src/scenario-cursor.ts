import type { StepBase } from './types.js';

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
