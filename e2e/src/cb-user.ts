import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { agentBinDir, claudeEnv, makeGitRepo, makeTempDir, seedClaudeHome, startFakeAnthropic, type AnthropicScenario, type FakeServer } from '@flotilla/testkit';

const require = createRequire(import.meta.url);
/** The real `cb` entry point, as `scripts/setup.sh` links it onto the PATH. */
export const CB = join(dirname(require.resolve('@flotilla/cb/package.json')), 'bin', 'cb.cjs');

export interface CbResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh user: empty HOME with Claude Code set up against the fake API, a git repo, no daemon. */
export interface User extends AsyncDisposable {
  home: string;
  flotillaHome: string;
  repo: string;
  api: FakeServer<AnthropicScenario>;
  cb(args: string[], options?: { input?: string; cwd?: string }): Promise<CbResult>;
  json<T>(args: string[]): Promise<T>;
}

export async function freshUser(scenario: AnthropicScenario): Promise<User> {
  const dir = await makeTempDir('flotilla-user-');
  const home = join(dir.path, 'home');
  const repo = join(dir.path, 'work', 'repo');
  const flotillaHome = join(home, '.flotilla');
  mkdirSync(home, { recursive: true });
  mkdirSync(repo, { recursive: true });
  await makeGitRepo(repo);
  const api = await startFakeAnthropic(scenario);
  await seedClaudeHome(home, { apiKey: 'sk-ant-user-0123456789abcdefghijkl', cwds: [repo] });
  const env: Record<string, string> = { ...claudeEnv({ home, baseUrl: api.url, apiKey: 'sk-ant-user-0123456789abcdefghijkl' }), FLOTILLA_HOST_NAME: 'laptop' };
  env.PATH = `${agentBinDir()}:${env.PATH}`;
  const cb = (args: string[], options: { input?: string; cwd?: string } = {}) =>
    new Promise<CbResult>((resolve) => {
      const child = spawn(process.execPath, [CB, ...args], { cwd: options.cwd ?? repo, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(options.input ?? '');
    });
  return {
    home,
    flotillaHome,
    repo,
    api,
    cb,
    async json<T>(args: string[]) {
      const result = await cb([...args, '--json']);
      try {
        return JSON.parse(result.stdout) as T;
      } catch {
        throw new Error(`cb ${args.join(' ')} --json printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
      }
    },
    async [Symbol.asyncDispose]() {
      await cb(['daemon', 'stop']);
      try {
        const daemon = JSON.parse(readFileSync(join(flotillaHome, 'daemon.json'), 'utf8')) as { pid: number };
        process.kill(daemon.pid, 'SIGKILL');
      } catch {
        // stopped
      }
      await api.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}
