import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  /** The environment every `cb` of this user runs with (and so the daemon it starts). */
  env: Readonly<Record<string, string>>;
  cb(args: string[], options?: { input?: string; cwd?: string }): Promise<CbResult>;
  json<T>(args: string[]): Promise<T>;
}

export interface FreshUserOptions {
  /** Variables added to (or overriding) the user's environment, e.g. `FLOTILLA_DISCOVERY: 'off'`. */
  env?: Record<string, string>;
  /** Written as `~/.flotilla/config.json` before any daemon starts (custom agents, slots…). */
  config?: Record<string, unknown>;
}

export async function freshUser(scenario: AnthropicScenario, options: FreshUserOptions = {}): Promise<User> {
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
  Object.assign(env, options.env);
  if (options.config) {
    mkdirSync(flotillaHome, { recursive: true, mode: 0o700 });
    writeFileSync(join(flotillaHome, 'config.json'), JSON.stringify(options.config, null, 2));
  }
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
    env,
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
      // Sessions outlive the daemon by design: without this, every agent a test started (a real
      // `claude` TUI under tmux) kept running after the test. After the daemon has stopped, so
      // that its watchdog does not start them again.
      killSessionsTmux({ flotillaHome });
      await api.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}

/** What `cb serve --json` prints: the listening URL, a one-time token and the link that uses it. */
export interface ServedLink {
  url: string;
  token: string;
  openUrl: string;
}

/**
 * `cb serve --port PORT --json` as a person runs it: the first thing it prints is the link; then
 * it stays in the foreground, so it is interrupted (Ctrl-C) once the link is read. The daemon
 * keeps serving.
 */
export async function serveDashboard(user: User, port = 0): Promise<ServedLink> {
  const child = spawn(process.execPath, [CB, 'serve', '--port', String(port), '--json'], { cwd: user.repo, env: user.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    return await new Promise<ServedLink>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`cb serve printed no link in 30 s:\n${stdout}\n${stderr}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        try {
          const link = JSON.parse(stdout) as ServedLink;
          clearTimeout(timer);
          resolve(link);
        } catch {
          // not the whole object yet
        }
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`cb serve exited (${code}) before printing a link:\n${stdout}\n${stderr}`));
      });
    });
  } finally {
    child.kill('SIGINT');
  }
}

/**
 * Kills the tmux server of the user's Flotilla home (sessions outlive the daemon by design), so a
 * test leaves no agent TUI behind. The socket name is cb's: `flotilla-` + sha256(home)[0..12].
 */
function killSessionsTmux(user: Pick<User, 'flotillaHome'>): void {
  const hash = createHash('sha256').update(user.flotillaHome).digest('hex').slice(0, 12);
  spawnSync('tmux', ['-L', `flotilla-${hash}`, 'kill-server'], { stdio: 'ignore' });
}
