import { createClient, isProtocolError, type FlotillaClient } from '@flotilla/protocol';
import { createFetchTransport } from './fetch-transport';

/** The page's one transport: `fetch`, same origin. */
export const transport = createFetchTransport();

/** The one typed client of the page. */
export const client: FlotillaClient = createClient(transport);

/** What to show a person when a call failed: the protocol's message and its fix when there is one. */
export function describeError(error: unknown): string {
  if (isProtocolError(error)) return error.fix ? `${error.message} — ${error.fix}` : error.message;
  if (error instanceof TypeError) return 'the daemon cannot be reached (network error)';
  return error instanceof Error ? error.message : String(error);
}
