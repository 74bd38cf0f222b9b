import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexRepository } from '../index/indexer.js';
import { tempFixtureRepo, type TempRepo } from '../test-support/fixture.js';

const BIN = fileURLToPath(new URL('../../bin/codekb.js', import.meta.url));
/** How long the child may take to print its URL (it loads tree-sitter and SQLite first). */
const START_TIMEOUT_MS = 20_000;

/** Spawns `codekb serve --http 0` and waits for the URL it prints on stderr. */
function startHttp(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--http', '0', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stderr = '';
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`no URL within ${START_TIMEOUT_MS} ms; stderr: ${stderr}`)), START_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      if (stdout !== '') reject(new Error(`stdout must stay empty, got ${stdout}`));
      resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}; stderr: ${stderr}`)));
  });
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
});
/** POSTs an initialize with exactly these headers (fetch would replace Host); returns the status. */
function postStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end(INITIALIZE);
  });
}

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('codekb serve --http', () => {
  let fixture: TempRepo;
  let child: ChildProcess | undefined;
  let url: string;
  let token: string;
  beforeAll(async () => {
    fixture = tempFixtureRepo();
    await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    const home = join(fixture.dir, 'home');
    ({ child, url } = await startHttp(['--repo', fixture.root, '--db', fixture.dbPath], { FLOTILLA_HOME: home }));
    const tokenPath = join(home, 'codekb', 'token');
    expect(statSync(tokenPath).mode & 0o777).toBe(0o600);
    token = readFileSync(tokenPath, 'utf8').trim();
  });
  afterAll(async () => {
    await stop(child);
    fixture?.[Symbol.dispose]();
  });

  it('should serve the tools to an SDK client that sends the token', async () => {
    const client = new Client({ name: 'codekb-test', version: '0.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['search', 'definition', 'references', 'outline', 'read', 'repo_map', 'related', 'remember', 'recall']);
      const def = (await client.callTool({ name: 'definition', arguments: { name: 'Circle' } })) as CallToolResult;
      expect(def.content[0]).toMatchObject({ type: 'text', text: expect.stringMatching(/^src\/shapes\.ts:15 {2}class Circle/) });
      expect(def.structuredContent).toMatchObject({ hits: [{ path: 'src/shapes.ts', line: 15 }] });
      const escape = (await client.callTool({ name: 'read', arguments: { path: '../x' } })) as CallToolResult;
      expect(escape.isError).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('should refuse a request without the token with 401', async () => {
    const response = await fetch(url, { method: 'POST', headers: MCP_HEADERS, body: INITIALIZE });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    const wrong = await fetch(url, { method: 'POST', headers: { ...MCP_HEADERS, authorization: 'Bearer nope' }, body: INITIALIZE });
    expect(wrong.status).toBe(401);
  });

  it('should refuse a foreign Origin or Host with 403, even with the token', async () => {
    const headers = { ...MCP_HEADERS, authorization: `Bearer ${token}` };
    const origin = await fetch(url, { method: 'POST', headers: { ...headers, origin: 'http://evil.example' }, body: INITIALIZE });
    expect(origin.status).toBe(403);
    expect(await origin.json()).toMatchObject({ error: { code: 'FORBIDDEN_ORIGIN' } });
    expect(await postStatus(url, { ...headers, host: 'evil.example' })).toBe(403);
    const ok = await fetch(url, { method: 'POST', headers, body: INITIALIZE });
    expect(ok.status).toBe(200);
  });
});
