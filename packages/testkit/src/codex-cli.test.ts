import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codexBin } from './bins.js';
import { codexEnv, seedCodexHome } from './codex-home.js';
import { startFakeOpenAI } from './fake-openai.js';
import { parseJsonLines, runProcess } from './run-process.js';
import { makeGitRepo, makeTempDir } from './temp-fixtures.js';

describe('real codex exec against startFakeOpenAI', () => {
  it('should run exec_command in workspace-write mode and create the file', async () => {
    await using tmp = await makeTempDir('testkit-codex-');
    await using api = await startFakeOpenAI([
      { text: 'Creating the file.', toolUses: [{ name: 'exec_command', input: { cmd: 'echo hi > codex.txt' } }] },
      { text: 'Created codex.txt.', usage: { input_tokens: 3000, cached_input_tokens: 2500, output_tokens: 16 } },
    ]);
    const home = join(tmp.path, 'home');
    const repo = join(tmp.path, 'repo');
    await mkdir(home);
    await mkdir(repo);
    await makeGitRepo(repo);
    await seedCodexHome(home, { baseUrl: api.url, cwds: [repo] });

    const run = await runProcess({
      command: codexBin(),
      args: ['exec', '--json', '-s', 'workspace-write', 'Create codex.txt containing hi'],
      cwd: repo,
      env: codexEnv({ home, apiKey: 'sk-test-codex' }),
      timeoutMs: 50_000,
    });

    expect(run.exitCode).toBe(0);
    expect(await readFile(join(repo, 'codex.txt'), 'utf8')).toBe('hi\n');
    const lines = parseJsonLines(run.stdout);
    expect(lines.find((l) => (l.item as { type?: string } | undefined)?.type === 'command_execution' && l.type === 'item.completed')).toMatchObject({
      item: { command: "/bin/bash -lc 'echo hi > codex.txt'", exit_code: 0, status: 'completed' },
    });
    expect(lines.at(-1)).toMatchObject({
      type: 'turn.completed',
      usage: { input_tokens: 3100, cached_input_tokens: 2500, output_tokens: 36 },
    });
    const main = api.requests.filter((r) => r.kind === 'main');
    expect(main).toHaveLength(2);
    expect(main[0]?.headers.authorization).toBe('Bearer sk-test-codex');
    expect(main[0]?.body).toMatchObject({ model: 'gpt-fake', stream: true });
  });
});
