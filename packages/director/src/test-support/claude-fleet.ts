/**
 * Tests (and bench/overnight.mjs) only: the director's world with real parts — a real `cb` daemon
 * (its built daemon, by path, as cb-world.ts does) whose `claude` and `codex` agents are the real
 * CLIs pointed at testkit's fake Anthropic and OpenAI servers (a seeded HOME, a subscription
 * OAuth token so rate limits carry Anthropic's unified reset headers), a real repository with a bare
 * remote, tickets and pull requests on the fake GitHub (`acme/tickets` → repo `api` → `acme/api`),
 * and the `flotilla-director` CLI run as a child process. The daemon can be restarted and killed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSocketTransport } from '@flotilla/kit/transport';
import { flotillaServerPaths } from '@flotilla/kit/client';
import { createClient, type FlotillaClient, type Job } from '@flotilla/protocol';
import {
  agentBinDir,
  claudeEnv,
  codexEnv,
  makeTempDir,
  seedClaudeHome,
  seedCodexHome,
  startFakeAnthropic,
  startFakeOpenAI,
  type AnthropicScenario,
  type FakeServer,
  type OpenAIScenario,
  type TempDir,
} from '@flotilla/testkit';
import { CB_DAEMON_MAIN, DIRECTOR_ARGV, GITHUB_TOKEN } from './cb-world.js';
import { startFakeGitHub, type FakeGitHub } from './fake-github.js';
import { makeRepoWithRemote, type RepoWithRemote } from './git-fixture.js';
import { PACKAGE_DIR } from './run-ts.js';

/** A subscription login: Claude Code then reports a 429's unified reset as `resetsAt` (agent-clis.md §4). */
export const CLAUDE_OAUTH_TOKEN = 'sk-ant-oat01-flotilla-director-e2e';
export const CODEX_KEY = 'sk-openai-director-e2e';
export const TICKETS_REPO = 'acme/tickets';
export const PULLS_REPO = 'acme/api';
const DAEMON_START_MS = 30_000;

export interface ClaudeFleetOptions {
  /** Job slots of the cb daemon (default 6). */
  slots?: number;
  /** The Codex provider's model name (default `gpt-5-codex`). */
  codexModel?: string;
}

export interface DirectorRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ClaudeFleet extends AsyncDisposable {
  tmp: TempDir;
  /** The daemon's FLOTILLA_HOME (the director child gets it too). */
  home: string;
  /** HOME of the agent CLIs (seeded: no dialogs, the fake provider for Codex). */
  agentHome: string;
  client: FlotillaClient;
  anthropic: FakeServer<AnthropicScenario>;
  openai: FakeServer<OpenAIScenario>;
  github: FakeGitHub;
  api: RepoWithRemote;
  /** The director's state directory (ledger, worktrees). */
  stateDir: string;
  /** Writes a flotilla.yaml (JSON is YAML) for repo `api` and its GitHub pull requests; `overrides` replace top-level keys. */
  writeConfig(overrides?: Record<string, unknown>): Promise<string>;
  /** Starts `flotilla-director ARGS`; the caller waits for or kills it. Its output is collected in the returned run. */
  spawnDirector(args: string[], env?: Record<string, string>): { child: ChildProcess; run: DirectorRun; ended: Promise<DirectorRun> };
  /** Runs `flotilla-director ARGS` to its end. */
  director(args: string[], env?: Record<string, string>): Promise<DirectorRun>;
  /** Stops the daemon (SIGTERM, or SIGKILL with `kill`) and starts it again on the same home. */
  restartDaemon(options?: { kill?: boolean }): Promise<void>;
  jobs(): Promise<Job[]>;
  daemonLog(): string;
}

export async function startClaudeFleet(options: ClaudeFleetOptions = {}): Promise<ClaudeFleet> {
  const tmp = await makeTempDir('director-fleet-');
  const home = join(tmp.path, 'fl');
  const agentHome = join(tmp.path, 'agent-home');
  const stateDir = join(tmp.path, 'state');
  for (const dir of [home, agentHome, stateDir]) await mkdir(dir, { recursive: true });
  const anthropic = await startFakeAnthropic([]);
  const openai = await startFakeOpenAI([]);
  await seedClaudeHome(agentHome, { cwds: [tmp.path] });
  await seedCodexHome(agentHome, { baseUrl: openai.url, cwds: [tmp.path], model: options.codexModel ?? 'gpt-5-codex' });
  await writeFile(
    join(home, 'config.json'),
    JSON.stringify({ notifySend: false, slots: options.slots ?? 6, envAllowlist: ['FAKE_'], backoff: { baseMs: 200, maxMs: 1000 } }),
  );
  const api = await makeRepoWithRemote(tmp.path, 'api');
  const github = await startFakeGitHub({ token: GITHUB_TOKEN });
  github.addRepo(TICKETS_REPO);
  github.addRepo(PULLS_REPO, { remote: api.remote });
  const daemonEnv: Record<string, string> = {
    ...codexEnv({ home: agentHome, apiKey: CODEX_KEY }),
    // No retries inside the CLI: the failure reaches cb (and the director) at once.
    ...claudeEnv({ home: agentHome, baseUrl: anthropic.url, oauthToken: CLAUDE_OAUTH_TOKEN, maxRetries: 0 }),
    FLOTILLA_HOME: home,
    FLOTILLA_HOST_NAME: 'fleet-e2e',
    FLOTILLA_DISCOVERY: 'off',
  };
  daemonEnv.PATH = `${agentBinDir()}:${daemonEnv.PATH}`;
  const daemon = createDaemon(home, daemonEnv, tmp.path);
  const client = createClient(createSocketTransport(flotillaServerPaths(home).cbSocket));
  const children = new Set<ChildProcess>();

  const close = async (): Promise<void> => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await daemon.stop(false);
    spawnSync('tmux', ['-L', `flotilla-${createHash('sha256').update(home).digest('hex').slice(0, 12)}`, 'kill-server'], { stdio: 'ignore' });
    await Promise.all([github.close(), anthropic.close(), openai.close()]);
    await tmp[Symbol.asyncDispose]();
  };
  try {
    await daemon.start(client);
  } catch (error) {
    await close();
    throw error;
  }

  const spawnDirector: ClaudeFleet['spawnDirector'] = (args, extra = {}) => {
    const env = { ...(process.env as Record<string, string>), FLOTILLA_HOME: home, GITHUB_TOKEN, FLOTILLA_DIRECTOR_POLL_MS: '500', FLOTILLA_CODEKB_BIN: 'off', ...extra };
    const child = spawn(process.execPath, [...DIRECTOR_ARGV, ...args], { cwd: PACKAGE_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const run: DirectorRun = { code: null, stdout: '', stderr: '' };
    child.stdout!.on('data', (chunk: Buffer) => (run.stdout += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (run.stderr += chunk.toString('utf8')));
    const ended = new Promise<DirectorRun>((resolve) =>
      child.once('close', (code) => {
        run.code = code;
        resolve(run);
      }),
    );
    return { child, run, ended };
  };

  return {
    tmp,
    home,
    agentHome,
    client,
    anthropic,
    openai,
    github,
    api,
    stateDir,
    async writeConfig(overrides = {}) {
      const path = join(tmp.path, `flotilla-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.yaml`);
      const config = {
        repos: [{ name: 'api', path: api.repo, base: 'main', github: PULLS_REPO }],
        sources: { github: { repos: [TICKETS_REPO] } },
        github: { apiUrl: github.url },
        models: { agent: 'claude', ladder: ['sonnet', 'sonnet', 'opus'] },
        attempts: 3,
        concurrency: { perHost: 4, perRepo: 4 },
        stateDir,
        ...overrides,
      };
      await writeFile(path, JSON.stringify(config, null, 2));
      return path;
    },
    spawnDirector,
    director: (args, extra) => spawnDirector(args, extra).ended,
    async restartDaemon(restart = {}) {
      await daemon.stop(restart.kill ?? false);
      await daemon.start(client);
    },
    jobs: async () => (await client.listJobs({ limit: 500 })).items,
    daemonLog: daemon.log,
    [Symbol.asyncDispose]: close,
  };
}

interface Daemon {
  start(client: FlotillaClient): Promise<void>;
  /** SIGKILL with `kill`, else SIGTERM (then SIGKILL after 5 s). */
  stop(kill: boolean): Promise<void>;
  log(): string;
}

function createDaemon(home: string, env: Record<string, string>, cwd: string): Daemon {
  const logPath = join(home, 'daemon-e2e.log');
  let child: ChildProcess | null = null;
  return {
    async start(client) {
      const log = openSync(logPath, 'a');
      child = spawn(process.execPath, [CB_DAEMON_MAIN], { env, cwd, stdio: ['ignore', log, log], detached: true });
      closeSync(log);
      const deadline = Date.now() + DAEMON_START_MS;
      while (!(await client.health().then(() => true, () => false))) {
        if (Date.now() > deadline) throw new Error(`the cb daemon did not start:\n${readFileSync(logPath, 'utf8').slice(-3000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop(kill) {
      const running = child;
      child = null;
      if (running?.pid === undefined || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill(kill ? 'SIGKILL' : 'SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (running.exitCode === null && running.signalCode === null) {
        running.kill('SIGKILL');
        await exited;
      }
    },
    log: () => readFileSync(logPath, 'utf8'),
  };
}

/** Splits `start --json`'s output (pretty-printed reports, one after another) into the documents. */
export function jsonDocuments<T>(stdout: string): T[] {
  const documents: T[] = [];
  let current: string[] = [];
  for (const line of stdout.split('\n')) {
    current.push(line);
    if (line === '}') {
      documents.push(JSON.parse(current.join('\n')) as T);
      current = [];
    }
  }
  return documents;
}
