import type { Context } from 'hono';
import type { z } from 'zod';
import { ProtocolError } from '@flotilla/protocol';

function fail(error: z.ZodError): never {
  const details = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = details[0];
  throw new ProtocolError('VALIDATION_FAILED', first ? `${first.path || 'body'}: ${first.message}` : 'invalid request', { details });
}

/** The JSON body parsed with `schema`; a missing or malformed body is a clear 400, never a crash. */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim()) {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ProtocolError('BAD_REQUEST', 'the request body is not valid JSON');
    }
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : fail(parsed.error);
}

export function query<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  const parsed = schema.safeParse(c.req.query());
  return parsed.success ? parsed.data : fail(parsed.error);
}
