import { describe, expect, it } from 'vitest';
import { CHUNK_CHARS, clip, escapeHtml, formatDuration, formatUsd, splitText } from './format.js';

describe('escapeHtml', () => {
  it('should escape everything HTML parse mode treats as markup', () => {
    expect(escapeHtml('<b>x</b> & "y" <script>')).toBe('&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot; &lt;script&gt;');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
});

describe('splitText', () => {
  it('should keep short text in one piece', () => {
    expect(splitText('hello', 10)).toEqual(['hello']);
    expect(splitText('', 10)).toEqual(['']);
  });

  it('should split at line breaks, every piece within the limit, nothing lost', () => {
    const text = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(i % 37)}`).join('\n');
    const chunks = splitText(text, 500);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(500);
    expect(chunks.join('\n')).toBe(text);
  });

  it('should cut a line with no spaces anywhere, and never inside a surrogate pair', () => {
    const text = `${'a'.repeat(9)}${'😀'.repeat(10)}`;
    const chunks = splitText(text, 10);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(10);
      expect(chunk).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
    }
    expect(chunks.join('')).toBe(text);
  });

  it('should keep a 20,000-character result under Telegram\'s limit per message', () => {
    const chunks = splitText('word '.repeat(4000));
    expect(chunks.every((c) => c.length <= CHUNK_CHARS && CHUNK_CHARS < 4096)).toBe(true);
  });
});

describe('small formatters', () => {
  it('should clip, and word durations and costs', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abc', 4)).toBe('abc');
    expect([formatDuration(12_300), formatDuration(185_000), formatDuration(3_725_000)]).toEqual(['12s', '3m 05s', '1h 02m']);
    expect([formatUsd(0.4212), formatUsd(0.00061), formatUsd(0)]).toEqual(['$0.42', '$0.0006', '$0.00']);
  });
});
