import { describe, expect, it } from 'vitest';
import { classifyFailureText, resetFromText, statusFromText } from './failure-text.js';
import { buildRawTail, epochToIso, parseJsonLine, pushTail, stripAnsi } from './lines.js';

describe('classifyFailureText', () => {
  it.each([
    ['API Error: Request rejected (429) · Number of requests has exceeded your rate limit', 'rate_limited'],
    ["You've hit your limit · resets Mar 17, 2030, 5:46pm (UTC)", 'rate_limited'],
    ['Invalid API key · Fix external API key', 'auth_failed'],
    ['Not logged in · Please run /login', 'auth_failed'],
    ['Failed to authenticate. API Error: 403 Forbidden', 'auth_failed'],
    ['Credit balance is too low', 'billing'],
    ["There's an issue with the selected model (claude-x). It may not exist or you may not have access to it.", 'model_not_found'],
    ['API Error: 529 Overloaded. This is a server-side issue', 'overloaded'],
    ['API Error: 500 Internal server error.', 'overloaded'],
    ['API Error: Unable to connect to API (ConnectionRefused)', 'overloaded'],
    ['Request timed out', 'overloaded'],
    ['Prompt is too long', 'context_overflow'],
    ['Reached maximum number of turns (1)', null],
  ])('should classify %j as %s', (text, kind) => {
    expect(classifyFailureText(text)).toBe(kind);
  });
});

describe('statusFromText / resetFromText', () => {
  it('should find statuses in the usual phrasings', () => {
    expect(statusFromText('unexpected status 401 Unauthorized: x')).toBe(401);
    expect(statusFromText('last status: 429 Too Many Requests')).toBe(429);
    expect(statusFromText('API Error: 500 Internal server error')).toBe(500);
    expect(statusFromText('request id req_500')).toBeNull();
  });

  it('should read a UTC reset time', () => {
    expect(resetFromText("You've hit your limit · resets Mar 17, 2030, 5:46pm (UTC)")).toBe('2030-03-17T17:46:00.000Z');
    expect(resetFromText('resets Jan 1, 2031, 12am (UTC)')).toBe('2031-01-01T00:00:00.000Z');
    expect(resetFromText('resets Mar 17, 2030, 5:46pm (Europe/Berlin)')).toBeNull();
  });
});

describe('line helpers', () => {
  it('should parse only JSON objects and never throw', () => {
    expect(parseJsonLine(' {"a":1} ')).toEqual({ a: 1 });
    expect(parseJsonLine('{oops')).toBeUndefined();
    expect(parseJsonLine('[1]')).toBeUndefined();
  });

  it('should keep a bounded tail of non-empty lines', () => {
    const tail: string[] = [];
    for (let i = 0; i < 30; i++) pushTail(tail, i % 2 ? `line ${i}` : '   ');
    expect(tail).toHaveLength(15);
    pushTail(tail, 'x'.repeat(5000));
    expect(tail.at(-1)?.length).toBeLessThan(2100);
    expect(buildRawTail(['a', 'b'], 'err1\nerr2\n', 3)).toBe('b\nerr1\nerr2');
  });

  it('should convert epoch seconds and strip escapes', () => {
    expect(epochToIso(1900000000)).toBe('2030-03-17T17:46:40.000Z');
    expect(epochToIso(null)).toBeNull();
    expect(stripAnsi('\u001b[1;31mbold\u001b[0m')).toBe('bold');
  });
});
