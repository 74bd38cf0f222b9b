import { describe, expect, it } from 'vitest';
import type { SessionLogEntry } from '@flotilla/protocol';
import { describeEntry, mergeHistory } from './history';

const id = '01JSESSION0000000000000000';
const entry = (at: string, message: string, kind: SessionLogEntry['kind'] = 'state'): SessionLogEntry => ({ at: `2026-11-25T17:${at}Z`, sessionId: id, kind, message });

describe('mergeHistory', () => {
  it('should show the fetched log newest first', () => {
    const log = [entry('00:00', 'a'), entry('00:05', 'b'), entry('00:10', 'c')];
    expect(mergeHistory([], log).map((e) => e.message)).toEqual(['c', 'b', 'a']);
  });

  it('should add live events on top and keep each line once when the fetch overlaps them', () => {
    const live = mergeHistory([], [entry('00:10', 'c')]);
    const merged = mergeHistory(live, [entry('00:00', 'a'), entry('00:10', 'c')]);
    expect(merged.map((e) => e.message)).toEqual(['c', 'a']);
    expect(mergeHistory(merged, [entry('00:20', 'd')]).map((e) => e.message)).toEqual(['d', 'c', 'a']);
  });

  it('should return the same array when nothing is new', () => {
    const current = mergeHistory([], [entry('00:00', 'a')]);
    expect(mergeHistory(current, [entry('00:00', 'a')])).toBe(current);
  });

  it('should keep lines of the same second in arrival order, newest first', () => {
    const merged = mergeHistory([], [entry('00:00', 'first'), entry('00:00', 'second')]);
    expect(merged.map((e) => e.message)).toEqual(['second', 'first']);
  });

  it('should keep at most max lines, dropping the oldest', () => {
    const many = Array.from({ length: 30 }, (_, i) => entry(`00:${String(i).padStart(2, '0')}`, `m${i}`));
    const merged = mergeHistory([], many, 10);
    expect(merged).toHaveLength(10);
    expect(merged[0]!.message).toBe('m29');
  });
});

describe('describeEntry', () => {
  it('should split a state line into change, source and what it waits for', () => {
    expect(describeEntry(entry('00:00', 'working → waiting_permission (hook): Bash: rm -rf build'))).toEqual({
      text: 'working → waiting permission',
      source: 'hook',
      detail: 'Bash: rm -rf build',
    });
    expect(describeEntry(entry('00:00', 'idle → working (session-file)'))).toEqual({ text: 'idle → working', source: 'session-file', detail: null });
    expect(describeEntry(entry('00:00', 'working → exited (process) — crashed'))).toMatchObject({ source: 'process', detail: 'crashed' });
  });

  it('should keep other lines as they are', () => {
    expect(describeEntry(entry('00:00', 'restarted the agent (1 of 3)', 'watchdog'))).toEqual({ text: 'restarted the agent (1 of 3)', source: null, detail: null });
  });
});
