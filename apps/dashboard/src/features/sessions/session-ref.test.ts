import { describe, expect, it } from 'vitest';
import { sessionPath, sessionRef, splitSessionRef } from './session-ref';

describe('session refs', () => {
  it('should carry the host on a hub and only the name on a lone daemon', () => {
    expect(sessionRef({ name: 'reviewer', host: 'dragon' }, true)).toBe('reviewer@dragon');
    expect(sessionRef({ name: 'reviewer', host: 'dragon' }, false)).toBe('reviewer');
    expect(sessionPath('reviewer@dragon')).toBe('/sessions/reviewer%40dragon');
  });

  it('should split a ref back into name and host', () => {
    expect(splitSessionRef('reviewer@dragon')).toEqual({ name: 'reviewer', host: 'dragon' });
    expect(splitSessionRef('reviewer')).toEqual({ name: 'reviewer', host: null });
  });
});
