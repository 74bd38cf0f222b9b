// Tests only: what Telegram does with a message's text — parse_mode (MarkdownV2, Markdown, HTML)
// turned into plain text plus entities, refusing what the real API refuses ("can't parse
// entities"), and the entities it detects in a user's own text (bot commands, mentions, hashtags,
// links). https://core.telegram.org/bots/api#formatting-options
export interface MessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

export type FormattedText = { ok: true; text: string; entities: MessageEntity[] } | { ok: false; description: string };

const MARKDOWN_V2_RESERVED = new Set('_*[]()~`>#+-=|{}.!');
const V2_TOGGLES: Record<string, { type: string; name: string }> = {
  '*': { type: 'bold', name: 'Bold' },
  _: { type: 'italic', name: 'Italic' },
  __: { type: 'underline', name: 'Underline' },
  '~': { type: 'strikethrough', name: 'Strikethrough' },
  '||': { type: 'spoiler', name: 'Spoiler' },
};

interface OpenEntity {
  type: string;
  name: string;
  offset: number;
  sourceByte: number;
}

function byteOffset(source: string, index: number): number {
  return Buffer.byteLength(source.slice(0, index));
}

function cantParse(detail: string): FormattedText {
  return { ok: false, description: `Bad Request: can't parse entities: ${detail}` };
}

/** Applies `parse_mode` the way the Bot API does; no parse mode leaves the text as it is. */
export function formatText(source: string, parseMode: string | undefined): FormattedText {
  if (parseMode === undefined || parseMode === '') return { ok: true, text: source, entities: [] };
  if (parseMode === 'MarkdownV2') return parseMarkdownV2(source);
  if (parseMode === 'Markdown') return parseLegacyMarkdown(source);
  if (parseMode === 'HTML') return parseHtml(source);
  return { ok: false, description: 'Bad Request: unsupported parse_mode' };
}

/** Reads a ``` block or a `code` span starting at `i`; returns the end index or an error. */
function readV2Code(source: string, i: number, out: { text: string; entities: MessageEntity[] }): number | FormattedText {
  const pre = source.startsWith('```', i);
  const fence = pre ? '```' : '`';
  let j = i + fence.length;
  let language: string | undefined;
  if (pre) {
    const newline = source.indexOf('\n', j);
    const firstLine = newline === -1 ? '' : source.slice(j, newline);
    if (newline !== -1 && /^[\w+-]+$/.test(firstLine)) {
      language = firstLine;
      j = newline + 1;
    }
  }
  let content = '';
  while (j < source.length && !source.startsWith(fence, j)) {
    if (source[j] === '\\' && (source[j + 1] === '`' || source[j + 1] === '\\')) j += 1;
    content += source[j];
    j += 1;
  }
  if (j >= source.length) return cantParse(`Can't find end of ${pre ? 'Pre' : 'Code'} entity at byte offset ${byteOffset(source, i)}`);
  const entity: MessageEntity = { type: pre ? 'pre' : 'code', offset: out.text.length, length: content.length };
  if (language) entity.language = language;
  if (content.length > 0) out.entities.push(entity);
  out.text += content;
  return j + fence.length;
}

/** Reads `(url)` after a link's `]`; returns the url and the index after `)`. */
function readV2Url(source: string, i: number): { url: string; end: number } | null {
  if (source[i] !== '(') return null;
  let url = '';
  let j = i + 1;
  while (j < source.length && source[j] !== ')') {
    if (source[j] === '\\' && (source[j + 1] === ')' || source[j + 1] === '\\')) j += 1;
    url += source[j];
    j += 1;
  }
  return j < source.length ? { url, end: j + 1 } : null;
}

export function parseMarkdownV2(source: string): FormattedText {
  const out = { text: '', entities: [] as MessageEntity[] };
  const open: OpenEntity[] = [];
  let quoteStart = -1;
  for (let i = 0; i < source.length; ) {
    const char = source[i]!;
    const lineStart = i === 0 || source[i - 1] === '\n';
    if (char === '\\') {
      const next = source.charCodeAt(i + 1);
      if (next >= 1 && next <= 126) out.text += source[i + 1];
      else if (i + 1 < source.length) return cantParse(`Character '\\' is reserved and must be escaped with the preceding '\\'`);
      i += 2;
      continue;
    }
    if (char === '`') {
      const end = readV2Code(source, i, out);
      if (typeof end !== 'number') return end;
      i = end;
      continue;
    }
    if (char === '>' && lineStart) {
      if (quoteStart === -1) quoteStart = out.text.length;
      i += 1;
      continue;
    }
    if (char === '\n' && quoteStart !== -1 && source[i + 1] !== '>') {
      out.entities.push({ type: 'blockquote', offset: quoteStart, length: out.text.length - quoteStart });
      quoteStart = -1;
    }
    const token = source.startsWith('__', i) ? '__' : source.startsWith('||', i) ? '||' : char;
    const toggle = V2_TOGGLES[token];
    if (toggle) {
      const at = open.findIndex((entity) => entity.type === toggle.type);
      if (at === -1) open.push({ ...toggle, offset: out.text.length, sourceByte: byteOffset(source, i) });
      else {
        const [entity] = open.splice(at, 1);
        if (out.text.length > entity!.offset) out.entities.push({ type: entity!.type, offset: entity!.offset, length: out.text.length - entity!.offset });
      }
      i += token.length;
      continue;
    }
    if (char === '[') {
      open.push({ type: 'text_link', name: 'TextUrl', offset: out.text.length, sourceByte: byteOffset(source, i) });
      i += 1;
      continue;
    }
    if (char === ']' && open.at(-1)?.type === 'text_link') {
      const link = readV2Url(source, i + 1);
      if (!link) return cantParse(`Can't find end of a url at byte offset ${byteOffset(source, i + 1)}`);
      const entity = open.pop()!;
      out.entities.push({ type: 'text_link', offset: entity.offset, length: out.text.length - entity.offset, url: link.url });
      i = link.end;
      continue;
    }
    if (MARKDOWN_V2_RESERVED.has(char)) return cantParse(`Character '${char}' is reserved and must be escaped with the preceding '\\'`);
    out.text += char;
    i += 1;
  }
  if (open.length > 0) return cantParse(`Can't find end of ${open[0]!.name} entity at byte offset ${open[0]!.sourceByte}`);
  if (quoteStart !== -1) out.entities.push({ type: 'blockquote', offset: quoteStart, length: out.text.length - quoteStart });
  return { ok: true, text: out.text, entities: out.entities.sort((a, b) => a.offset - b.offset) };
}

const LEGACY_MARKS: Record<string, string> = { '*': 'bold', _: 'italic', '`': 'code' };

export function parseLegacyMarkdown(source: string): FormattedText {
  let text = '';
  const entities: MessageEntity[] = [];
  for (let i = 0; i < source.length; ) {
    const char = source[i]!;
    if (char === '\\' && '_*`['.includes(source[i + 1] ?? '')) {
      text += source[i + 1];
      i += 2;
      continue;
    }
    const fence = source.startsWith('```', i) ? '```' : char === '[' ? ']' : LEGACY_MARKS[char] ? char : null;
    if (fence === null) {
      text += char;
      i += 1;
      continue;
    }
    const start = i + (fence === ']' ? 1 : fence.length);
    const end = source.indexOf(fence, start);
    if (end === -1) return cantParse(`Can't find end of the entity starting at byte offset ${byteOffset(source, i)}`);
    const content = source.slice(start, end);
    let next = end + fence.length;
    const entity: MessageEntity = { type: fence === '```' ? 'pre' : fence === ']' ? 'text_link' : LEGACY_MARKS[char]!, offset: text.length, length: content.length };
    if (fence === ']') {
      const close = source[next] === '(' ? source.indexOf(')', next) : -1;
      if (close === -1) return cantParse(`Can't find end of the entity starting at byte offset ${byteOffset(source, i)}`);
      entity.url = source.slice(next + 1, close);
      next = close + 1;
    }
    if (content.length > 0) entities.push(entity);
    text += content;
    i = next;
  }
  return { ok: true, text, entities };
}

const HTML_TAGS: Record<string, string> = {
  b: 'bold', strong: 'bold', i: 'italic', em: 'italic', u: 'underline', ins: 'underline',
  s: 'strikethrough', strike: 'strikethrough', del: 'strikethrough', 'tg-spoiler': 'spoiler',
  span: 'spoiler', a: 'text_link', code: 'code', pre: 'pre', blockquote: 'blockquote', 'tg-emoji': 'custom_emoji',
};
const HTML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

export function parseHtml(source: string): FormattedText {
  let text = '';
  const entities: MessageEntity[] = [];
  const open: { tag: string; offset: number; url?: string }[] = [];
  for (let i = 0; i < source.length; ) {
    const char = source[i]!;
    if (char === '&') {
      const entity = /^&(#x[0-9a-f]+|#\d+|[a-z]+);/i.exec(source.slice(i, i + 12));
      const name = entity?.[1] ?? '';
      const decoded = name.startsWith('#x') || name.startsWith('#X') ? String.fromCodePoint(parseInt(name.slice(2), 16)) : name.startsWith('#') ? String.fromCodePoint(Number(name.slice(1))) : HTML_ENTITIES[name.toLowerCase()];
      text += entity && decoded !== undefined ? decoded : '&';
      i += entity && decoded !== undefined ? entity[0].length : 1;
      continue;
    }
    if (char !== '<') {
      text += char;
      i += 1;
      continue;
    }
    const tag = /^<(\/?)([a-z-]*)((?:\s+[a-z-]+(?:=(?:"[^"]*"|'[^']*'|[^\s>]*))?)*)\s*>/i.exec(source.slice(i));
    const name = tag?.[2]?.toLowerCase() ?? '';
    if (!tag || HTML_TAGS[name] === undefined) return cantParse(`Unsupported start tag "${name}" at byte offset ${byteOffset(source, i)}`);
    if (tag[1] === '/') {
      const top = open.pop();
      if (top?.tag !== name) return cantParse(`Unmatched end tag at byte offset ${byteOffset(source, i)}, expected "</${top?.tag ?? ''}>", found "</${name}>"`);
      const entity: MessageEntity = { type: HTML_TAGS[name]!, offset: top.offset, length: text.length - top.offset };
      if (top.url !== undefined) entity.url = top.url;
      if (entity.length > 0) entities.push(entity);
    } else {
      const href = /href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*))/i.exec(tag[3] ?? '');
      open.push({ tag: name, offset: text.length, ...(name === 'a' ? { url: href?.[1] ?? href?.[2] ?? href?.[3] ?? '' } : {}) });
    }
    i += tag[0].length;
  }
  if (open.length > 0) return cantParse(`Can't find end tag corresponding to start tag "${open[0]!.tag}"`);
  return { ok: true, text, entities: entities.sort((a, b) => a.offset - b.offset) };
}

/** The entities Telegram's clients attach to text a person types: `/commands`, `@mentions`, `#hashtags`, links. */
export function detectEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  const patterns: [string, RegExp][] = [
    ['bot_command', /(?<=^|\s)\/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?(?=$|\s)/g],
    ['mention', /(?<=^|\s)@[a-zA-Z0-9_]{3,32}(?=$|[\s.,!?])/g],
    ['hashtag', /(?<=^|\s)#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*/gu],
    ['url', /\bhttps?:\/\/[^\s]+/g],
  ];
  for (const [type, pattern] of patterns) {
    for (const match of text.matchAll(pattern)) entities.push({ type, offset: match.index, length: match[0].length });
  }
  return entities.sort((a, b) => a.offset - b.offset);
}
