// Tests only: a real `cb` daemon (reached by path: the director does not depend on cb) under its own
// FLOTILLA_HOME, running scripted agents that edit their working directory, plus a real repo with a
// bare remote and a fake GitHub for tickets — and the `flotilla-director` CLI run as a child process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSocketTransport } from '@flotilla/kit/transport';
import { createClient, type FlotillaClient, type Job } from '@flotilla/protocol';
import { makeTempDir, type TempDir } from '@flotilla/testkit';
import { flotillaServerPaths as serverPaths } from '@flotilla/kit/client';
import { startFakeGitHub, type FakeGitHub } from './fake-github.js';
import { makeRepoWithRemote, type RepoWithRemote } from './git-fixture.js';
import { PACKAGE_DIR } from './run-ts.js';

/** cb is not a dependency of this package: its built daemon is reached by path (as packages/telegram does). */
export const CB_DAEMON_MAIN = fileURLToPath(new URL('../../../cb/dist/daemon/main.js', import.meta.url));
/**
 * The CLI as a child runs it: the built bin (turbo builds the package before its tests), else the
 * sources through tsx (slower to start; for a checkout that was never built).
 */
const BUILT_BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
export const DIRECTOR_BIN = existsSync(BUILT_BIN) ? BUILT_BIN : fileURLToPath(new URL('../cli/bin.ts', import.meta.url));
export const DIRECTOR_ARGV = DIRECTOR_BIN.endsWith('.ts') ? ['--import', 'tsx', DIRECTOR_BIN] : [DIRECTOR_BIN];
export const GITHUB_TOKEN = 'ghp_director_cli_test';
const DAEMON_START_MS = 20_000;

/**
 * The scripted agent: `--version` answers (cb's doctor asks); otherwise it reads the prompt on stdin,
 * waits while `<its dir>/hold` exists (so a test can kill the director mid-job), writes
 * `agent-output.txt` into its working directory (the worktree) and prints one line.
 */
export const AGENT_SCRIPT = `#!/bin/sh
if [ "$1" = "--version" ]; then echo "scripted-agent 1.0"; exit 0; fi
dir=$(dirname "$0")
prompt=$(cat)
while [ -e "$dir/hold" ]; do sleep 0.1; done
printf '%s\\n' "$prompt" > agent-output.txt
echo "edited agent-output.txt in $(basename "$PWD")"
`;

export interface CbWorld extends AsyncDisposable {
  tmp: TempDir;
  /** The daemon's FLOTILLA_HOME (the director child gets it too). */
  home: string;
  socket: string;
  client: FlotillaClient;
  github: FakeGitHub;
  api: RepoWithRemote;
  /** Where the agent script lives; `hold` here makes it wait. */
  agentDir: string;
  /** Writes a flotilla.yaml (JSON is YAML) and returns its path. */
  writeConfig(config: Record<string, unknown>, name?: string): Promise<string>;
  /** Runs `flotilla-director ARGS` to its end. */
  director(args: string[], env?: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Runs `flotilla-director ARGS` in this process (`main` with captured output): what needs no process of its own. */
  main(args: string[], env?: Record<string, string>, options?: { stopWhen?: (stdout: string) => boolean }): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Starts `flotilla-director ARGS`; the caller kills or awaits it. */
  spawnDirector(args: string[], env?: Record<string, string>): ChildProcess;
  jobs(): Promise<Job[]>;
  daemonLog(): string;
}

/** Agents in the daemon's config: `scripted` (the script above) and `ghost` (a CLI that is not installed). */
export async function startCbWorld(): Promise<CbWorld> {
  const tmp = await makeTempDir('director-cb-');
  const home = join(tmp.path, 'fl');
  const agentDir = join(tmp.path, 'agent');
  for (const dir of [home, agentDir]) await mkdir(dir, { recursive: true });
  const agent = join(agentDir, 'scripted-agent');
  await writeFile(agent, AGENT_SCRIPT);
  await chmod(agent, 0o755);
  await writeFile(
    join(home, 'config.json'),
    JSON.stringify({
      notifySend: false,
      backoff: { baseMs: 200, maxMs: 1000 },
      agents: {
        scripted: { argv: [agent], promptVia: 'stdin', outputFormat: 'text' },
        ghost: { argv: [join(agentDir, 'not-installed-agent')], promptVia: 'stdin', outputFormat: 'text' },
      },
    }),
  );
  const api = await makeRepoWithRemote(tmp.path, 'api');
  const github = await startFakeGitHub({ token: GITHUB_TOKEN });
  github.addRepo('acme/tickets');
  const env: Record<string, string> = { ...(process.env as Record<string, string>), FLOTILLA_HOME: home, FLOTILLA_HOST_NAME: 'director-e2e', FLOTILLA_DISCOVERY: 'off' };
  const logPath = join(home, 'daemon-e2e.log');
  const log = openSync(logPath, 'a');
  const daemon: ChildProcess = spawn(process.execPath, [CB_DAEMON_MAIN], { env, cwd: tmp.path, stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  const socket = serverPaths(home).cbSocket;
  const client = createClient(createSocketTransport(socket));
  const children = new Set<ChildProcess>();
  const close = async (): Promise<void> => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (daemon.pid && daemon.exitCode === null) {
      const exited = new Promise((resolve) => daemon.once('exit', resolve));
      process.kill(daemon.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (daemon.exitCode === null) process.kill(daemon.pid, 'SIGKILL');
    }
    const { createHash } = await import('node:crypto');
    spawnSync('tmux', ['-L', `flotilla-${createHash('sha256').update(home).digest('hex').slice(0, 12)}`, 'kill-server'], { stdio: 'ignore' });
    await github.close();
    await tmp[Symbol.asyncDispose]();
  };
  const deadline = Date.now() + DAEMON_START_MS;
  while (!(await client.health().then(() => true, () => false))) {
    if (Date.now() > deadline) {
      await close();
      throw new Error(`the cb daemon did not start:\n${readFileSync(logPath, 'utf8')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const directorEnv = (extra: Record<string, string>): Record<string, string> => ({
    ...(process.env as Record<string, string>),
    FLOTILLA_HOME: home,
    GITHUB_TOKEN,
    FLOTILLA_DIRECTOR_POLL_MS: '500',
    ...extra,
  });
  const spawnDirector = (args: string[], extra: Record<string, string> = {}): ChildProcess => {
    const child = spawn(process.execPath, [...DIRECTOR_ARGV, ...args], { cwd: PACKAGE_DIR, env: directorEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    return child;
  };
  return {
    tmp,
    home,
    socket,
    client,
    github,
    api,
    agentDir,
    async writeConfig(config, name = 'flotilla.yaml') {
      const path = join(tmp.path, name);
      await writeFile(path, JSON.stringify({ github: { apiUrl: github.url }, ...config }, null, 2));
      return path;
    },
    async director(args, extra = {}) {
      const child = spawnDirector(args, extra);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
      return { code, stdout, stderr };
    },
    spawnDirector,
    async main(args, extra = {}, options = {}) {
      const { main } = await import('../cli/main.js');
      let stdout = '';
      let stderr = '';
      const code = await main(args, {
        env: directorEnv(extra),
        streams: { stdout: { write: (chunk: string) => (stdout += chunk) }, stderr: { write: (chunk: string) => (stderr += chunk) }, stdin: process.stdin },
        cwd: PACKAGE_DIR,
        home,
        // A "SIGTERM" once the output shows what the test waits for (checked every 100 ms, at most 30 s).
        stopSignal: () =>
          new Promise<string>((resolve) => {
            const { stopWhen } = options;
            if (stopWhen === undefined) return;
            const started = Date.now();
            const timer = setInterval(() => {
              if (!stopWhen(stdout) && Date.now() - started < 30_000) return;
              clearInterval(timer);
              resolve('SIGTERM');
            }, 100);
          }),
      });
      return { code, stdout, stderr };
    },
    jobs: async () => (await client.listJobs({ limit: 100 })).items,
    daemonLog: () => readFileSync(logPath, 'utf8'),
    [Symbol.asyncDispose]: close,
  };
}

/** The smallest config for the world: repo `api` (no GitHub repo: the branch is recorded), tickets from fake `acme/tickets`. */
export function worldConfig(world: CbWorld, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    repos: [{ name: 'api', path: world.api.repo, base: 'main' }],
    sources: { github: { repos: ['acme/tickets'] } },
    models: { agent: 'scripted', ladder: ['model-a', 'model-b'] },
    stateDir: join(world.tmp.path, 'state'),
    ...overrides,
  };
}
