import { createClient, type FlotillaClient } from '@flotilla/protocol';
import { client, transport } from './client';

/**
 * The typed client whose every call names a host (`?host=NAME`): on a hub, where new work goes;
 * null is the server's own choice (a lone daemon has only itself).
 */
export function clientFor(host: string | null): FlotillaClient {
  if (host === null) return client;
  return createClient({
    request: (req) => transport.request({ ...req, query: { ...req.query, host } }),
    stream: (req) => transport.stream({ ...req, query: { ...req.query, host } }),
  });
}
