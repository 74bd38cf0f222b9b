import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RepoIndex } from '../query/repo-index.js';
import type { VectorBackend } from '../vector/backend.js';
import { CODEKB_VERSION } from '../version.js';
import { createRepoIndexSource, fixedRepoIndexSource, type RepoIndexSource, type RepoLocation } from './repo-source.js';
import { registerKnowledgeTools } from './knowledge-tools.js';
import { registerCodekbTools } from './tools.js';

export interface CodekbServerOptions {
  /**
   * An opened index (the caller closes it), a shared lazily opened source (the caller closes it),
   * or where the index is (opened on the first tool call, closed with the server).
   */
  repo: RepoIndex | RepoIndexSource | RepoLocation;
  /** The optional vector backend `search` fuses with BM25 (the caller owns it). */
  vectors?: VectorBackend;
}

/** The package version, told to clients in `initialize`. */
export { CODEKB_VERSION };

const INSTRUCTIONS =
  'codekb answers from a local index of one repository. Every hit cites path:line (repo-relative, 1-based); ' +
  'use search or definition to find code, then read the cited lines. Call recall before starting work and remember what you learned after it.';

/**
 * An MCP server with the tools `search`, `definition`, `references`, `outline` and `read`. It lists
 * its tools even when the index is missing; tool calls then return an `isError` result saying so.
 *
 * @example
 * const server = createCodekbServer({ repo: { root: '/src/app' } });
 * await server.connect(new StdioServerTransport());
 */
export function createCodekbServer(options: CodekbServerOptions): McpServer {
  const server = new McpServer({ name: 'codekb', version: CODEKB_VERSION }, { instructions: INSTRUCTIONS });
  const { source, owned } = sourceOf(options.repo);
  registerCodekbTools(server, source, { vectors: options.vectors });
  const knowledge = registerKnowledgeTools(server, source);
  const previous = server.server.onclose;
  server.server.onclose = () => {
    knowledge.close();
    if (owned) source.close();
    previous?.();
  };
  return server;
}

function sourceOf(repo: CodekbServerOptions['repo']): { source: RepoIndexSource; owned: boolean } {
  if ('get' in repo) return { source: repo, owned: false };
  if ('sqlite' in repo) return { source: fixedRepoIndexSource(repo), owned: false };
  return { source: createRepoIndexSource(repo), owned: true };
}
