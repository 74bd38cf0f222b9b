import { describe, expect, it } from 'vitest';
import { detectEntities, formatText } from './bot-api-markup.test-support.js';

describe('formatText (the fake Bot API\'s parse_mode)', () => {
  it('should turn MarkdownV2 into text and entities, with escapes, links, code and quotes', () => {
    expect(formatText('*bold* _it_ __u__ ~s~ ||sp|| \\. \\(x\\)', 'MarkdownV2')).toEqual({
      ok: true,
      text: 'bold it u s sp . (x)',
      entities: [
        { type: 'bold', offset: 0, length: 4 },
        { type: 'italic', offset: 5, length: 2 },
        { type: 'underline', offset: 8, length: 1 },
        { type: 'strikethrough', offset: 10, length: 1 },
        { type: 'spoiler', offset: 12, length: 2 },
      ],
    });
    expect(formatText('[the job](https://x.test/a\\)b) `a\\`b` ```ts\nconst a = 1;```', 'MarkdownV2')).toEqual({
      ok: true,
      text: 'the job a`b const a = 1;',
      entities: [
        { type: 'text_link', offset: 0, length: 7, url: 'https://x.test/a)b' },
        { type: 'code', offset: 8, length: 3 },
        { type: 'pre', offset: 12, length: 12, language: 'ts' },
      ],
    });
    expect(formatText('>quoted\n>twice\nafter', 'MarkdownV2')).toMatchObject({ ok: true, text: 'quoted\ntwice\nafter', entities: [{ type: 'blockquote', offset: 0, length: 12 }] });
  });

  it('should refuse MarkdownV2 Telegram refuses: reserved characters, unclosed entities', () => {
    expect(formatText('cost: $0.01', 'MarkdownV2')).toEqual({ ok: false, description: "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'" });
    expect(formatText('a-b', 'MarkdownV2')).toMatchObject({ ok: false, description: expect.stringContaining("Character '-' is reserved") });
    expect(formatText('é *open', 'MarkdownV2')).toEqual({ ok: false, description: "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 3" });
    expect(formatText('`open', 'MarkdownV2')).toMatchObject({ ok: false, description: expect.stringContaining("Can't find end of Code entity") });
  });

  it('should parse HTML with entities and links, and refuse unknown or unbalanced tags', () => {
    expect(formatText('<b>a &lt;b&gt; &amp; &#65;</b> <a href="https://x.test">x</a> <pre>p</pre>', 'HTML')).toEqual({
      ok: true,
      text: 'a <b> & A x p',
      entities: [
        { type: 'bold', offset: 0, length: 9 },
        { type: 'text_link', offset: 10, length: 1, url: 'https://x.test' },
        { type: 'pre', offset: 12, length: 1 },
      ],
    });
    expect(formatText('a <script>x</script>', 'HTML')).toEqual({ ok: false, description: 'Bad Request: can\'t parse entities: Unsupported start tag "script" at byte offset 2' });
    expect(formatText('<b><i>x</b></i>', 'HTML')).toMatchObject({ ok: false, description: expect.stringContaining('Unmatched end tag') });
    expect(formatText('<b>x', 'HTML')).toMatchObject({ ok: false, description: expect.stringContaining('Can\'t find end tag corresponding to start tag "b"') });
    expect(formatText('1 < 2', 'HTML')).toMatchObject({ ok: false });
  });

  it('should parse legacy Markdown, where only _ * ` [ are special', () => {
    expect(formatText('*b* _i_ `c` [l](https://x.test) 1.5-2!', 'Markdown')).toEqual({
      ok: true,
      text: 'b i c l 1.5-2!',
      entities: [
        { type: 'bold', offset: 0, length: 1 },
        { type: 'italic', offset: 2, length: 1 },
        { type: 'code', offset: 4, length: 1 },
        { type: 'text_link', offset: 6, length: 1, url: 'https://x.test' },
      ],
    });
    expect(formatText('snake_case', 'Markdown')).toMatchObject({ ok: false, description: expect.stringContaining("Can't find end of the entity starting at byte offset 5") });
    expect(formatText('plain <b>', undefined)).toEqual({ ok: true, text: 'plain <b>', entities: [] });
  });
});

describe('detectEntities (what Telegram apps attach to typed text)', () => {
  it('should mark commands, mentions, hashtags and links, and nothing inside words', () => {
    expect(detectEntities('/run@flotilla_bot @dragon #web fix it https://x.test/a a/b c@d e#f')).toEqual([
      { type: 'bot_command', offset: 0, length: 17 },
      { type: 'mention', offset: 18, length: 7 },
      { type: 'hashtag', offset: 26, length: 4 },
      { type: 'url', offset: 38, length: 16 },
    ]);
  });
});
