import { splitIdentifier } from '../../store/words.js';

/** Words too common to carry meaning; they would make every text a little similar to every other. */
const STOPWORDS = new Set(['a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'in', 'is', 'it', 'of', 'on', 'or', 'that', 'the', 'this', 'to', 'with']);

/**
 * A deterministic stand-in for an embedding model: feature hashing of the text's words and
 * identifier parts (`parseHTTPRequest` → parsehttprequest, parse, http, request) into `dimensions`
 * signed buckets, log-scaled counts, L2-normalised. Texts sharing words score a high cosine; no
 * weights, no download.
 *
 * @example
 * hashingEmbedding('retry with exponential backoff', 256).length; // 256
 */
export function hashingEmbedding(text: string, dimensions: number): number[] {
  const counts = new Map<number, number>();
  for (const token of tokens(text)) {
    const hash = fnv1a(token);
    const bucket = hash % dimensions;
    const sign = (hash >>> 31) === 1 ? -1 : 1;
    counts.set(bucket, (counts.get(bucket) ?? 0) + sign);
  }
  const vector = new Array<number>(dimensions).fill(0);
  for (const [bucket, count] of counts) vector[bucket] = Math.sign(count) * Math.log1p(Math.abs(count));
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((value) => value / norm);
}

function tokens(text: string): string[] {
  const found: string[] = [];
  for (const word of text.split(/[^A-Za-z0-9_]+/)) {
    if (word === '') continue;
    const parts = splitIdentifier(word);
    for (const token of new Set([word.toLowerCase(), ...parts])) if (token.length > 1 && !STOPWORDS.has(token)) found.push(token);
  }
  return found;
}

/** 32-bit FNV-1a: fast, stable across runs and machines. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
