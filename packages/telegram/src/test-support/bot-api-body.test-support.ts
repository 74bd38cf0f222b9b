// Tests only: reads a Bot API request's parameters the four ways Telegram accepts them — the URL
// query string, application/x-www-form-urlencoded, application/json and multipart/form-data
// (https://core.telegram.org/bots/api#making-requests) — into one record of fields and files.
import type { IncomingMessage } from 'node:http';

/** A file part of a multipart upload. */
export interface UploadedFile {
  /** The part's field name: a method field (`document`) or an `attach://<name>` target. */
  field: string;
  fileName: string;
  contentType: string;
  bytes: Buffer;
}

/** A request's parameters: scalar fields as Telegram would see them, plus uploaded files. */
export interface RequestParams {
  /** JSON bodies keep their types; query, form and multipart fields are strings (Telegram coerces them). */
  fields: Record<string, unknown>;
  files: UploadedFile[];
}

/** Bodies above this are refused like an oversized upload (Telegram's own limit for bots is 50 MB). */
export const MAX_BODY_BYTES = 50 * 1024 * 1024;

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('Request Entity Too Large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses the query string and the body; body fields win over query fields of the same name. */
export function parseParams(url: URL, contentType: string | undefined, body: Buffer): RequestParams {
  const fields: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const files: UploadedFile[] = [];
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (body.length === 0) return { fields, files };
  if (type === 'application/json') {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the JSON body is not an object');
    Object.assign(fields, parsed);
  } else if (type === 'application/x-www-form-urlencoded') {
    Object.assign(fields, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  } else if (type === 'multipart/form-data') {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
    if (!boundary) throw new Error('multipart body without a boundary');
    for (const part of splitMultipart(body, boundary[1] ?? boundary[2]!.trim())) {
      if (part.fileName === undefined) fields[part.name] = part.bytes.toString('utf8');
      else files.push({ field: part.name, fileName: part.fileName, contentType: part.contentType, bytes: part.bytes });
    }
  }
  return { fields, files };
}

interface MultipartPart {
  name: string;
  fileName: string | undefined;
  contentType: string;
  bytes: Buffer;
}

/**
 * Splits a multipart/form-data body (RFC 7578). Lenient where real clients differ: header names
 * in any case, with or without a space after the colon, and `filename=` quoted or not (grammY
 * sends `filename=voice.ogg` unquoted).
 */
export function splitMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    let start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    if (body.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const end = body.subarray(next - 2, next).toString() === '\r\n' ? next - 2 : next;
    const part = parsePart(body.subarray(start, end));
    if (part) parts.push(part);
    at = next;
  }
  return parts;
}

function parsePart(raw: Buffer): MultipartPart | null {
  const headerEnd = raw.indexOf('\r\n\r\n');
  if (headerEnd === -1) return null;
  const headers = new Map<string, string>();
  for (const line of raw.subarray(0, headerEnd).toString('utf8').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get('content-disposition') ?? '';
  const name = /(?:^|;)\s*name=(?:"([^"]*)"|([^;]*))/i.exec(disposition);
  if (!name) return null;
  const fileName = /(?:^|;)\s*filename=(?:"([^"]*)"|([^;]*))/i.exec(disposition);
  return {
    name: name[1] ?? name[2]!.trim(),
    fileName: fileName ? (fileName[1] ?? fileName[2]!.trim()) : undefined,
    contentType: headers.get('content-type') ?? 'application/octet-stream',
    bytes: Buffer.from(raw.subarray(headerEnd + 4)),
  };
}
