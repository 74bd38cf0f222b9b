import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeBin } from './bins.js';
import { claudeEnv, seedClaudeHome } from './claude-home.js';
import { startFakeAnthropic, unifiedRateLimitHeaders } from './fake-anthropic.js';
import { parseJsonLines, runProcess, type RunProcessResult } from './run-process.js';
import { makeGitRepo, makeTempDir } from './temp-fixtures.js';
import type { AnthropicScenario, RecordedRequest } from './types.js';

const API_KEY = 'sk-ant-api03-testkit-0123456789abcdef';

interface ClaudeRun {
  run: RunProcessResult;
  lines: Record<string, unknown>[];
  requests: RecordedRequest[];
  /** Content of `hello.txt` in the repo after the run, `''` when absent. */
  hello: string;
}

/** Runs the real `claude -p` in a fresh git repo against a fake playing `scenario`. */
async function runClaude(
  scenario: AnthropicScenario,
  options: { args?: string[]; oauthToken?: string } = {},
): Promise<ClaudeRun> {
  await using tmp = await makeTempDir('testkit-claude-');
  await using api = await startFakeAnthropic(scenario);
  const home = join(tmp.path, 'home');
  const repo = join(tmp.path, 'repo');
  await mkdir(home);
  await mkdir(repo);
  await makeGitRepo(repo);
  const apiKey = options.oauthToken === undefined ? API_KEY : undefined;
  await seedClaudeHome(home, { apiKey, cwd: repo });
  const env = claudeEnv({ home, baseUrl: api.url, apiKey, oauthToken: options.oauthToken });
  const args = ['-p', 'Create hello.txt containing hi', '--output-format', 'stream-json', '--verbose'];
  const run = await runProcess({
    command: claudeBin(),
    args: [...args, '--permission-mode', 'acceptEdits', '--model', 'sonnet', ...(options.args ?? [])],
    cwd: repo,
    env,
    timeoutMs: 50_000,
  });
  const hello = await readFile(join(repo, 'hello.txt'), 'utf8').catch(() => undefined);
  return { run, lines: parseJsonLines(run.stdout), requests: [...api.requests], hello: hello ?? '' };
}

function resultOf(lines: Record<string, unknown>[]): Record<string, unknown> | undefined {
  return lines.filter((l) => l.type === 'result').at(-1);
}

describe('real claude -p against startFakeAnthropic', () => {
  it('should write a real file with the Write tool in a temp git repo', async () => {
    const { run, lines, requests, hello } = await runClaude([
      { text: 'Creating it.', toolUses: [{ name: 'Write', input: { file_path: 'hello.txt', content: 'hi\n' } }] },
      { text: 'Created hello.txt.' },
    ]);
    expect(run.exitCode).toBe(0);
    expect(hello).toBe('hi\n');
    expect(resultOf(lines)).toMatchObject({ subtype: 'success', is_error: false, num_turns: 2, result: 'Created hello.txt.' });
    const main = requests.filter((r) => r.kind === 'main');
    expect(main).toHaveLength(2);
    expect(main[0]?.body).toMatchObject({ model: 'claude-sonnet-5', stream: true });
    expect(main[0]?.headers['x-api-key']).toBe(API_KEY);
  });

  it('should yield the documented 401 signature: synthetic assistant error and is_error result', async () => {
    const { run, lines } = await runClaude([
      { status: 401, type: 'authentication_error', message: 'invalid x-api-key', repeat: 'forever' },
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('');
    const synthetic = lines.find((l) => l.type === 'assistant');
    expect(synthetic).toMatchObject({ error: 'authentication_failed', message: { model: '<synthetic>' } });
    expect(resultOf(lines)).toMatchObject({
      subtype: 'success',
      is_error: true,
      api_error_status: 401,
      result: 'Invalid API key · Fix external API key',
    });
  });

  it('should report a subscription limit with resetsAt from the unified rate-limit headers', async () => {
    const headers = unifiedRateLimitHeaders({ resetsAt: 1900000000 });
    const { run, lines, requests } = await runClaude(
      [{ status: 429, type: 'rate_limit_error', message: 'Rate limited', headers, repeat: 'forever' }],
      { oauthToken: 'sk-ant-oat01-testkit' },
    );
    expect(run.exitCode).toBe(1);
    expect(requests.filter((r) => r.kind === 'main')).toHaveLength(1);
    expect(lines.find((l) => l.type === 'rate_limit_event')).toMatchObject({
      rate_limit_info: { status: 'rejected', resetsAt: 1900000000, rateLimitType: 'five_hour' },
    });
    expect(resultOf(lines)).toMatchObject({
      api_error_status: 429,
      result: "You've hit your limit · resets Mar 17, 2030, 5:46pm (UTC)",
    });
  });
});
