import { describe, expect, it } from 'vitest';
import { alertPatternProblem } from '@flotilla/protocol';
import { AlertMatcher, DEFAULT_ALERT_RULES } from './matcher.js';
import { stripTerminal, terminalSegments } from './terminal-text.js';

/** Feeds text as pane.log would hold it (`\r\n` line ends), all at time `now`; returns the matcher. */
function feeder(patterns: string[], checkpoint = { readFrom: 0, matchFrom: 0 }) {
  const matcher = new AlertMatcher(patterns, checkpoint);
  let offset = checkpoint.readFrom;
  return {
    matcher,
    feed(text: string, now: number) {
      for (const line of text.split('\n').slice(0, -1)) {
        const end = offset + Buffer.byteLength(line) + 1;
        matcher.feed(line, offset, end, now);
        offset = end;
      }
    },
    offset: () => offset,
  };
}

const lines = (from: number, to: number, label = 'line') => Array.from({ length: to - from + 1 }, (_, i) => `${label} ${from + i}\r\n`).join('');

describe('terminal text', () => {
  it('should strip colours, cursor moves, titles and hyperlinks and keep the words', () => {
    const raw = '\x1b[1;31mFAIL\x1b[0m \x1b]0;title\x07src/a.test.ts \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1b[2K\x1b(Bdone\x07\x0f';
    expect(stripTerminal(raw)).toBe('FAIL src/a.test.ts link done');
  });

  it('should end a line at \\r\\n and split progress lines redrawn with a bare \\r', () => {
    expect(terminalSegments('plain line\r')).toEqual([{ text: 'plain line', transient: false }]);
    expect(terminalSegments('\x1b[2K 10%\r\x1b[2K 60%\r\x1b[2K100% done\r')).toEqual([
      { text: ' 10%', transient: true },
      { text: ' 60%', transient: true },
      { text: '100% done', transient: false },
    ]);
    expect(terminalSegments('\r\r  \r')).toEqual([]);
  });
});

describe('alert patterns', () => {
  it('should refuse an invalid regex or one matching every line, naming the pattern', () => {
    expect(alertPatternProblem('FAIL|Error')).toBeNull();
    expect(alertPatternProblem('FAIL|(')).toMatch(/^alert pattern "FAIL\|\(" is not a valid regular expression: .*Unterminated group/);
    expect(alertPatternProblem('x*')).toBe('alert pattern "x*" matches an empty line, so every line would raise an alert');
  });
});

describe('the alert matcher', () => {
  it('should raise one alert with the lines around a match, once the output went quiet for a second', () => {
    const f = feeder(['FAIL|Error']);
    f.feed(`${lines(1, 8)}\x1b[31mFAIL\x1b[0m test 9\r\n${lines(10, 20)}`, 1_000);
    expect(f.matcher.due(1_999)).toBeNull();
    expect(f.matcher.nextDue()).toBe(2_000);
    const alert = f.matcher.due(2_000);
    expect(alert).toEqual({
      pattern: 'FAIL|Error',
      line: 'FAIL test 9',
      context: ['line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'FAIL test 9', 'line 10', 'line 11', 'line 12', 'line 13', 'line 14'],
      at: new Date(1_000).toISOString(),
      count: 1,
    });
    expect(f.matcher.due(10_000)).toBeNull();
  });

  it('should group a burst of matches into one alert naming how many matched', () => {
    const f = feeder(['FAIL']);
    const burst = (from: number) => Array.from({ length: 150 }, (_, i) => `FAIL case ${from + i}\r\n`).join('');
    f.feed(`start\r\n${burst(0)}`, 0);
    f.feed(`${burst(150)}summary: 300 failed\r\n`, 400);
    expect(f.matcher.due(1_300)).toBeNull();
    const alert = f.matcher.due(1_400);
    expect(alert?.count).toBe(300);
    expect(alert?.line).toBe('FAIL case 0 (+299 more matching lines)');
    expect(alert?.context).toEqual(['start', 'FAIL case 0', 'FAIL case 1', 'FAIL case 2', 'FAIL case 3', 'FAIL case 4', 'FAIL case 5', '… 300 lines matched /FAIL/ within 1 s; the first is shown with its context']);
  });

  it('should keep alerts at least 5 s apart and raise a continuous stream every 10 s', () => {
    const f = feeder(['Error']);
    f.feed('Error one\r\n', 0);
    expect(f.matcher.due(1_000)?.count).toBe(1);
    f.feed('Error two\r\n', 1_500);
    f.feed('Error three\r\n', 2_000);
    expect(f.matcher.nextDue()).toBe(6_000);
    expect(f.matcher.due(5_999)).toBeNull();
    expect(f.matcher.due(6_000)?.count).toBe(2);
    // A match every half second never goes quiet: raised 10 s after the first.
    for (let t = 7_000; t <= 20_000; t += 500) {
      f.feed(`Error at ${t}\r\n`, t);
      const alert = f.matcher.due(t);
      if (alert) {
        expect(t).toBe(17_000);
        expect(alert.count).toBe(21);
      }
    }
  });

  it('should match each progress redraw but keep only what the screen shows as context', () => {
    const f = feeder(['ERROR']);
    f.feed('compiling\r\n  1%\r  50%\r 100%\r\nERROR: boom\r\n', 0);
    expect(f.matcher.flush(0)?.context).toEqual(['compiling', ' 100%', 'ERROR: boom']);
    f.feed(' 10% ERROR\r 20%\r\n', 10_000);
    expect(f.matcher.flush(10_000)).toMatchObject({ line: ' 10% ERROR', context: ['compiling', ' 100%', 'ERROR: boom', ' 10% ERROR', ' 20%'] });
  });

  it('should cut long lines and name every pattern that matched', () => {
    const f = feeder(['FAIL', 'panic']);
    f.feed(`FAIL ${'x'.repeat(1000)}\r\npanic: oops\r\n`, 0);
    const alert = f.matcher.flush(0);
    expect(alert?.line.length).toBeLessThan(DEFAULT_ALERT_RULES.lineChars + 40);
    expect(alert?.context.at(-1)).toBe('… 2 lines matched /FAIL/, /panic/ within 1 s; the first is shown with its context');
  });

  it('should resume from a checkpoint: an open alert is matched again, what was alerted is context only', () => {
    const first = feeder(['FAIL']);
    first.feed(`${lines(1, 3)}FAIL a\r\n${lines(4, 5)}`, 0);
    expect(first.matcher.due(1_000)?.line).toBe('FAIL a');
    first.feed(`${lines(6, 7)}FAIL b\r\nline 8\r\n`, 1_100);
    const checkpoint = first.matcher.checkpoint();
    // The daemon stops here, with "FAIL b" not raised yet; pane.log goes on.
    const all = `${lines(1, 3)}FAIL a\r\n${lines(4, 5)}${lines(6, 7)}FAIL b\r\nline 8\r\nline 9\r\n`;
    const resumed = feeder(['FAIL'], checkpoint);
    resumed.feed(Buffer.from(all).subarray(checkpoint.readFrom).toString(), 50_000);
    const alert = resumed.matcher.flush(50_000);
    expect(alert).toMatchObject({ line: 'FAIL b', count: 1, context: ['FAIL a', 'line 4', 'line 5', 'line 6', 'line 7', 'FAIL b', 'line 8', 'line 9'] });
    expect(resumed.matcher.checkpoint()).toEqual({ readFrom: expect.any(Number), matchFrom: Buffer.byteLength(all) });
  });

  it('should start matching again from 0 when the file started over', () => {
    const f = feeder(['FAIL']);
    f.feed('FAIL a\r\n', 0);
    expect(f.matcher.flush(0)?.line).toBe('FAIL a');
    f.matcher.feed('FAIL b\r', 0, 8, 20_000);
    expect(f.matcher.flush(20_000)?.line).toBe('FAIL b');
  });
});
