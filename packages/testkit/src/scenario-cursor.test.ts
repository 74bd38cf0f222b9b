import { describe, expect, it } from 'vitest';
import { createScenarioCursor } from './scenario-cursor.js';

interface Step {
  id: string;
  repeat?: number | 'forever';
}

function take(steps: Step[], count: number): (string | undefined)[] {
  const cursor = createScenarioCursor(steps);
  return Array.from({ length: count }, () => cursor.next()?.id);
}

describe('createScenarioCursor', () => {
  it('should walk the steps in order and then report exhaustion', () => {
    expect(take([{ id: 'a' }, { id: 'b' }], 3)).toEqual(['a', 'b', undefined]);
  });

  it('should answer a step `repeat` times before moving on', () => {
    expect(take([{ id: 'a', repeat: 2 }, { id: 'b' }], 4)).toEqual(['a', 'a', 'b', undefined]);
  });

  it('should never move past a step that repeats forever', () => {
    expect(take([{ id: 'a', repeat: 'forever' }, { id: 'b' }], 5)).toEqual(['a', 'a', 'a', 'a', 'a']);
    expect(take([{ id: 'a', repeat: Number.POSITIVE_INFINITY }], 3)).toEqual(['a', 'a', 'a']);
  });

  it('should restart from the first step after reset', () => {
    const cursor = createScenarioCursor<Step>([{ id: 'a' }]);
    cursor.next();
    cursor.reset([{ id: 'x' }]);
    expect([cursor.next()?.id, cursor.next()?.id]).toEqual(['x', undefined]);
  });
});
