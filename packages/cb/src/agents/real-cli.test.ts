import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  claudeBin,
  claudeEnv,
  codexBin,
  codexEnv,
  makeGitRepo,
  makeTempDir,
  runProcess,
  seedClaudeHome,
  seedCodexHome,
  startFakeAnthropic,
  startFakeOpenAI,
} from '@flotilla/testkit';
import { createClaudeAdapter } from './claude.js';
import { createCodexAdapter } from './codex.js';
import type { AgentAdapter, AgentLaunch, Outcome } from './types.js';

async function mkdirp(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Runs the adapter's own launch against the real CLI and classifies what came out. */
async function runLaunch(adapter: AgentAdapter, launch: AgentLaunch, cwd: string, env: Record<string, string>) {
  const [, ...args] = launch.argv;
  const result = await runProcess({ command: adapter.command, args, cwd, env: { ...env, ...launch.env } });
  const accumulator = adapter.createAccumulator();
  const lines = result.stdout.split('\n').filter((l) => l !== '');
  for (const line of lines) accumulator.push(line);
  const progress = accumulator.progress();
  const exit = { exitCode: result.exitCode, signal: result.signal, durationMs: result.durationMs, stoppedBy: null, spawnError: null };
  const outcome: Outcome = adapter.classify({ progress, exit, stderrTail: result.stderr });
  return { progress, outcome, entries: adapter.transcript(lines) };
}

describe('adapters against the real CLIs (slow)', () => {
  it('should run Claude in bypass mode as root through its own argv and env', async () => {
    const api = await startFakeAnthropic([
      { text: 'Writing.', toolUses: [{ name: 'Write', input: { file_path: 'hello.txt', content: 'hi\n' } }] },
      { text: 'Wrote hello.txt.' },
    ]);
    const tmp = await makeTempDir('cb-agents-claude-');
    try {
      const repo = await makeGitRepo(await mkdirp(join(tmp.path, 'repo')));
      const home = join(tmp.path, 'home');
      await seedClaudeHome(home, { apiKey: 'sk-ant-test', cwd: repo });
      // IS_SANDBOX must come from the adapter, not from the test env.
      const env = claudeEnv({ home, baseUrl: api.url, apiKey: 'sk-ant-test', extra: { IS_SANDBOX: undefined } });
      const adapter = createClaudeAdapter({ command: claudeBin() });
      const isRoot = process.getuid?.() === 0;
      const launch = adapter.launch({ prompt: '-write hello', model: null, permissions: 'bypass', cwd: repo, resumeSessionId: null, isRoot });
      const { progress, outcome, entries } = await runLaunch(adapter, launch, repo, env);
      expect(outcome).toEqual({ status: 'succeeded', failure: null, result: 'Wrote hello.txt.' });
      expect(progress.model).toBe('claude-sonnet-5');
      expect(await readFile(join(repo, 'hello.txt'), 'utf8')).toBe('hi\n');
      expect(entries).toContainEqual(expect.objectContaining({ type: 'edit', path: 'hello.txt' }));
      const firstUser = api.requests.find((r) => r.kind === 'main')?.body as { messages: Array<{ content: unknown }> };
      expect(JSON.stringify(firstUser.messages[0]?.content)).toContain('-write hello');
    } finally {
      await api.close();
      await tmp[Symbol.asyncDispose]();
    }
  });

  it('should run Codex through its own argv with stdin closed', async () => {
    const api = await startFakeOpenAI([
      { text: 'Creating.', toolUses: [{ name: 'exec_command', input: { cmd: 'echo hi > codex.txt' } }] },
      { text: 'Created codex.txt.' },
    ]);
    const tmp = await makeTempDir('cb-agents-codex-');
    try {
      const repo = await makeGitRepo(await mkdirp(join(tmp.path, 'repo')));
      const home = join(tmp.path, 'home');
      await seedCodexHome(home, { baseUrl: api.url, cwds: [repo] });
      const env = codexEnv({ home, apiKey: 'sk-test' });
      const adapter = createCodexAdapter({ command: codexBin() });
      expect(adapter.credentialStatus(env, home)).toMatchObject({ ok: true, credential: expect.stringMatching(/^env:FAKE_OPENAI_KEY#/) });
      const launch = adapter.launch({ prompt: 'create codex.txt', model: 'gpt-fake', permissions: 'accept-edits', cwd: repo, resumeSessionId: null, isRoot: true });
      expect(launch.stdin).toEqual({ kind: 'null' });
      const { progress, outcome } = await runLaunch(adapter, launch, tmp.path, env);
      expect(outcome).toEqual({ status: 'succeeded', failure: null, result: 'Created codex.txt.' });
      expect(progress.usage).toEqual({ inputTokens: 200, outputTokens: 40, cacheReadTokens: 0, cacheWriteTokens: 0 });
      expect(await readFile(join(repo, 'codex.txt'), 'utf8')).toBe('hi\n');
    } finally {
      await api.close();
      await tmp[Symbol.asyncDispose]();
    }
  });
});
