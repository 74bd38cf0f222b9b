import { storedDoc, type ExtractedRef, type ExtractedSymbol, type Extraction } from './extract.js';
import { DocForm } from '../store/doc-text.js';
import { SIGNATURE_STORED_BYTES } from '../store/signature.js';
import { sourcedDoc } from './describe.js';
import { Utf8Offsets } from './utf8-offsets.js';

const MARKDOWN_EXTENSIONS = ['.md', '.markdown', '.mdx'];
const HEADING = /^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$/;
const FENCE = /^[ \t]{0,3}(`{3,}|~{3,})/;
/** `` `name` `` or `` `Container.member` `` (optionally with a call's parentheses) in prose. */
const CODE_SPAN = /`([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)(?:\(\))?`/g;

export function isMarkdown(path: string): boolean {
  const lower = path.toLowerCase();
  return MARKDOWN_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/**
 * Markdown documentation as symbols: every ATX heading is a `section` (nested by level, its first
 * paragraph as its doc, its range up to the next heading of the same or a higher level), and every
 * code span naming an identifier (`` `Circle.area` ``) is a reference from that section, so the
 * docs that mention a symbol show up among its references. Fenced code blocks are skipped.
 */
export function extractMarkdown(text: string): Extraction {
  const lines = text.split('\n');
  const lastLine = text.endsWith('\n') ? lines.length - 1 : lines.length;
  const symbols: ExtractedSymbol[] = [];
  const refs: ExtractedRef[] = [];
  const open: { index: number; level: number }[] = [];
  let fence: string | null = null;
  let docOf: number | null = null;
  const bytes = new Utf8Offsets(text);
  /** UTF-16 offset of the line's start. */
  let nextStart = 0;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const start = nextStart;
    nextStart += raw.length + 1;
    const fenceMark = FENCE.exec(raw)?.[1];
    if (fenceMark && (fence === null || fenceMark.startsWith(fence))) {
      fence = fence === null ? fenceMark.slice(0, 3) : null;
      return;
    }
    if (fence !== null) return;
    const heading = HEADING.exec(raw);
    if (heading) {
      const level = heading[1]!.length;
      while (open.length && open[open.length - 1]!.level >= level) symbols[open.pop()!.index]!.endLine = line - 1;
      const parent = open[open.length - 1]?.index ?? null;
      const container = parent === null ? null : symbols[parent]!.name;
      const signature = bytes.byteRange(start, start + raw.length);
      const signatureLength = Math.min(signature.length, SIGNATURE_STORED_BYTES);
      symbols.push({ kind: 'section', name: heading[2]!, container, signatureStart: signature.start, signatureLength, doc: null, startLine: line, endLine: lastLine, parent });
      open.push({ index: symbols.length - 1, level });
      docOf = symbols.length - 1;
      return;
    }
    const section = open[open.length - 1]?.index ?? null;
    if (docOf !== null && raw.trim() !== '') {
      const doc = sourcedDoc(text, start, start + raw.length, DocForm.Line);
      symbols[docOf]!.doc = doc === null ? null : storedDoc(doc, bytes);
      docOf = null;
    }
    for (const match of raw.matchAll(CODE_SPAN)) {
      const name = match[1]!.split('.').pop()!;
      refs.push({ name, line, symbol: section });
    }
  });
  return { symbols, refs };
}
