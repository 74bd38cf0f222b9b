import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { serveCodekbHttp } from '../mcp/http.js';
import { createRepoIndexSource, IndexUnavailableError, type RepoIndexSource } from '../mcp/repo-source.js';
import { createCodekbServer } from '../mcp/server.js';
import { createVectorRefresher, type VectorBackend } from '../vector/backend.js';
import { claimIndexWriter } from '../watch/writer.js';
import type { ServeFlags } from './serve.js';
import { vectorBackendFor, vectorConfigFor } from './vectors.js';

/** Only stderr: in stdio mode stdout carries the protocol and nothing else. */
function note(message: string): void {
  process.stderr.write(`codekb: ${message}\n`);
}

/**
 * Runs the server until stdin closes (stdio) or a SIGINT/SIGTERM arrives. The first serve process
 * of an index becomes its writer: it brings the index up to date and re-indexes edited files, and,
 * with vector search configured, re-embeds what each re-index changed.
 */
export async function serve(flags: ServeFlags): Promise<void> {
  const config = await vectorConfigFor(flags);
  const root = resolve(flags.repo);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`no such repository directory: ${root}`);
  using source = createRepoIndexSource({ root, dbPath: flags.db });
  const vectors = await vectorBackendFor(config, source.dbPath);
  await using refresher = vectors === undefined ? undefined : createVectorRefresher(vectors, { root: source.root, note });
  const refresh = refresher === undefined ? undefined : () => refresher.refresh();
  // One serve process per index writes it (and watches the repository); the others only read.
  await using role = await claimIndexWriter({ root: source.root, dbPath: source.dbPath, note, onIndexed: refresh, onUpToDate: refresh });
  if (!role.isWriter()) {
    if (existsSync(source.dbPath)) note(`reading the index ${source.dbPath}; another codekb process writes it`);
    warnIfNotIndexed(source);
  }
  if (vectors !== undefined) note(`vector search on: collection ${vectors.collection}, model ${vectors.embedder.model}`);
  if (flags.http === undefined) await serveStdio(source, vectors);
  else await serveHttp(source, flags.http, vectors);
}

function warnIfNotIndexed(source: RepoIndexSource): void {
  try {
    source.get();
  } catch (error) {
    if (!(error instanceof IndexUnavailableError)) throw error;
    note(`${error.message} (tools answer with this error until then)`);
  }
}

async function serveStdio(source: RepoIndexSource, vectors: VectorBackend | undefined): Promise<void> {
  const server = createCodekbServer({ repo: source, vectors });
  const stopped = untilStopped(process.stdin);
  await server.connect(new StdioServerTransport());
  await stopped;
  await server.close();
}

async function serveHttp(source: RepoIndexSource, portNumber: number, vectors: VectorBackend | undefined): Promise<void> {
  await using http = await serveCodekbHttp(source, { port: portNumber, vectors });
  note(`serving ${source.root} at ${http.url} (send "Authorization: Bearer <token>", token in ${http.tokenPath})`);
  await untilStopped();
}

/** Resolves on SIGINT or SIGTERM, or when `input` ends. */
function untilStopped(input?: NodeJS.ReadableStream): Promise<void> {
  return new Promise((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    input?.once('end', stop);
    input?.once('close', stop);
  });
}
