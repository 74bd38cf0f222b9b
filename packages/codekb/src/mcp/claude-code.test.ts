import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentBinDir, claudeEnv, runProcess, seedClaudeHome, startFakeAnthropic, type AnthropicScenario, type FakeServer } from '@flotilla/testkit';
import { indexRepository } from '../index/indexer.js';
import { tempFixtureRepo, type TempRepo } from '../test-support/fixture.js';

const BIN = fileURLToPath(new URL('../../bin/codekb.js', import.meta.url));
const KEY = 'sk-ant-codekb-0123456789abcdefghijk';
/**
 * Claude Code 2.x connects MCP servers in the background in `-p` mode and sends its first request
 * without waiting (`MCP_CONNECTION_NONBLOCKING` defaults to on), and even when told to wait it
 * gives a server 5 s (`MCP_CONNECT_TIMEOUT_MS`) — on a loaded machine `codekb serve` had not
 * answered `initialize` by then and the request went out without the codekb tools. So: wait for
 * the server to connect (its `initialize` and tool list answered), for as long as the run may take.
 */
const WAIT_FOR_MCP_SERVERS = { MCP_CONNECTION_NONBLOCKING: '0', MCP_CONNECT_TIMEOUT_MS: '80000' };

describe('codekb registered in the real Claude Code CLI', () => {
  let fixture: TempRepo;
  let api: FakeServer<AnthropicScenario>;
  beforeAll(async () => {
    fixture = tempFixtureRepo();
    await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    api = await startFakeAnthropic([
      { text: 'Looking it up.', toolUses: [{ name: 'mcp__codekb__definition', input: { name: 'Circle' } }] },
      { text: 'Circle is defined in src/shapes.ts.' },
    ]);
  });
  afterAll(async () => {
    await api?.close();
    fixture?.[Symbol.dispose]();
  });

  it('should let `claude -p --mcp-config` call the definition tool and get a path:line answer back', async () => {
    const home = join(fixture.dir, 'home');
    await seedClaudeHome(home, { apiKey: KEY, cwds: [fixture.root] });
    const mcpConfig = { mcpServers: { codekb: { command: process.execPath, args: [BIN, 'serve', '--repo', fixture.root, '--db', fixture.dbPath] } } };
    const run = await runProcess({
      command: join(agentBinDir(), 'claude'),
      args: ['-p', 'where is Circle defined?', '--output-format', 'stream-json', '--verbose', '--model', 'sonnet', '--mcp-config', JSON.stringify(mcpConfig), '--strict-mcp-config', '--allowedTools', 'mcp__codekb__definition'],
      cwd: fixture.root,
      env: { ...claudeEnv({ home, baseUrl: api.url, apiKey: KEY }), ...WAIT_FOR_MCP_SERVERS, FLOTILLA_HOME: join(fixture.dir, 'fl') },
      timeoutMs: 90_000,
    });
    expect(run.exitCode).toBe(0);
    const main = api.requests.filter((r) => r.kind === 'main');
    const tools = ((main[0]?.body as { tools?: { name: string }[] }).tools ?? []).map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['mcp__codekb__search', 'mcp__codekb__definition', 'mcp__codekb__read']));
    const followUp = JSON.stringify((main[1]?.body as { messages?: unknown[] }).messages);
    expect(followUp).toContain('tool_result');
    expect(followUp).toMatch(/src\/shapes\.ts:\d+/);
  });
});
