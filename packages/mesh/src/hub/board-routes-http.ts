/**
 * What the hub's board, message and profile routes share: zod-checked bodies and queries, and
 * one error handler that answers every refusal with the protocol's error envelope.
 */
import type { Context, ErrorHandler } from 'hono';
import type { z } from 'zod';
import createDebug from 'debug';
import { ProtocolError, isProtocolError } from '@flotilla/protocol';
import { isBoardStoreError } from '../board/board-store.js';
import type { HubEventInput, PublishEvent } from './hub-events.js';

const debug = createDebug('mesh:hub');

function invalid(error: z.ZodError): never {
  const details = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = details[0];
  throw new ProtocolError('VALIDATION_FAILED', first ? `${first.path || 'body'}: ${first.message}` : 'invalid request', { details });
}

/** The JSON body parsed with `schema`; a missing or malformed body is a clear 400, never a crash. */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ProtocolError('BAD_REQUEST', 'the request body is not valid JSON');
    }
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : invalid(parsed.error);
}

/**
 * The query string parsed with `schema`. Keys named in `lists` collect every value, repeated
 * (`?status=todo&status=doing`) or comma-separated (`?status=todo,doing`); others keep the first.
 */
export function queryOf<T extends z.ZodType>(c: Context, schema: T, lists: readonly string[] = []): z.infer<T> {
  const raw: Record<string, unknown> = { ...c.req.query() };
  for (const key of lists) {
    const values = c.req.queries(key)?.flatMap((value) => value.split(',')).filter((value) => value !== '');
    raw[key] = values === undefined || values.length === 0 ? undefined : values;
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : invalid(parsed.error);
}

/** A board store's refusal as the wire error, with what to do about it. */
export function toProtocolError(error: unknown): unknown {
  if (!isBoardStoreError(error)) return error;
  switch (error.code) {
    case 'STALE_TOKEN':
      return new ProtocolError('STALE_TOKEN', error.message, {
        fix: 'stop working on this task: someone else holds it now (see `mesh board show`); claim another one',
      });
    case 'NOT_FOUND':
      return new ProtocolError('NOT_FOUND', error.message, { fix: 'name a task by its key (AUTH-12) or id, as `mesh board ls` shows them' });
    case 'CONFLICT':
      return new ProtocolError('CONFLICT', error.message);
    case 'NOT_HOLDER':
      return new ProtocolError('FORBIDDEN', error.message, {
        fix: 'an agent may only renew, finish or hand off the tasks it claimed itself',
      });
    case 'NOT_REVIEWER':
      return new ProtocolError('FORBIDDEN', error.message, {
        fix: 'an agent decides only reviews addressed to it or one of its roles, and never its own; ask the user (`mesh board approve`)',
      });
    case 'NOT_CLAIMABLE':
      return new ProtocolError('CONFLICT', error.message, {
        fix: 'claim another task (`mesh board claim` takes the best one free for you), or wait until this one is free',
        details: { reason: error.reason },
      });
  }
}

/** Answers protocol errors (and board store refusals) with their envelope; anything else is a 500 in words. */
export const routeErrorHandler: ErrorHandler = (error, c) => {
  const mapped = toProtocolError(error);
  if (isProtocolError(mapped)) return c.json(mapped.toEnvelope(), mapped.status as 400);
  debug('internal error on %s %s: %o', c.req.method, c.req.path, error);
  const internal = new ProtocolError('INTERNAL', `internal error: ${(error as Error).message}`, {
    fix: 'this is a bug in the mesh hub; please open an issue with the hub log (FLOTILLA_HOME/hub.log)',
  });
  return c.json(internal.toEnvelope(), 500);
};

/**
 * Publishes a change after it was committed. A failing publish is logged, not thrown: the write
 * stands, and answering it with a 500 would make the caller retry a claim or a post that happened.
 */
export async function publishCommitted(publish: PublishEvent, event: HubEventInput): Promise<void> {
  try {
    await publish(event);
  } catch (error) {
    debug('publishing %s failed: %o', event.type, error);
  }
}
