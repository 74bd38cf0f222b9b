import { join } from 'node:path';
import { createSecureApp, readOrCreateTokenFile, serveOnPort, type PortServer } from '@flotilla/kit/http';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import createDebug from 'debug';
import { flotillaHome } from '../store/db-path.js';
import type { VectorBackend } from '../vector/backend.js';
import type { RepoIndexSource } from './repo-source.js';
import { createCodekbServer } from './server.js';

const debug = createDebug('codekb:mcp');

/** The MCP endpoint's path. */
export const MCP_PATH = '/mcp';

/** `$FLOTILLA_HOME/codekb/token`: the bearer token HTTP clients must send. */
export function codekbTokenPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(flotillaHome(env), 'codekb', 'token');
}

/**
 * A hono app serving MCP's streamable HTTP transport at `/mcp`, statelessly (a fresh server per
 * request, JSON responses), behind the Flotilla guard: loopback Host only, same-origin `Origin`
 * only, and `Authorization: Bearer <token>`.
 */
export function createCodekbHttpApp(source: RepoIndexSource, token: string, options: { vectors?: VectorBackend } = {}): ReturnType<typeof createSecureApp> {
  const app = createSecureApp({ token, requireToken: true, publicPaths: [] });
  app.all(MCP_PATH, async (c) => {
    const server = createCodekbServer({ repo: source, vectors: options.vectors });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}; MCP is at ${MCP_PATH}` } }, 404));
  app.onError((error, c) => {
    debug('internal error on %s %s: %o', c.req.method, c.req.path, error);
    return c.json({ error: { code: 'INTERNAL', message: `internal error: ${error.message}` } }, 500);
  });
  return app;
}

export interface CodekbHttpServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>/mcp` */
  readonly url: string;
  readonly tokenPath: string;
  close(): Promise<void>;
}

/**
 * Serves the codekb MCP tools over streamable HTTP on 127.0.0.1 (port 0: any free port), with the
 * token from `$FLOTILLA_HOME/codekb/token` (created 0600 when missing).
 *
 * @example
 * await using http = await serveCodekbHttp(createRepoIndexSource({ root: '.' }), { port: 0 });
 * console.error(http.url);
 */
export async function serveCodekbHttp(source: RepoIndexSource, options: { port: number; tokenPath?: string; vectors?: VectorBackend }): Promise<CodekbHttpServer> {
  const tokenPath = options.tokenPath ?? codekbTokenPath();
  const token = await readOrCreateTokenFile(tokenPath);
  const running: PortServer = await serveOnPort(createCodekbHttpApp(source, token, { vectors: options.vectors }).fetch, { port: options.port, hostname: '127.0.0.1' });
  const close = (): Promise<void> => running.close();
  return { url: `${running.url}${MCP_PATH}`, tokenPath, close, [Symbol.asyncDispose]: close };
}
