import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSocketTransport } from '@flotilla/kit/transport';
import { createClient, isTerminal, type CreateJobRequest, type FlotillaClient, type FlotillaEvent, type Job } from '@flotilla/protocol';
import {
  agentBinDir,
  claudeEnv,
  codexEnv,
  makeGitRepo,
  makeTempDir,
  seedClaudeHome,
  seedCodexHome,
  startFakeAnthropic,
  startFakeOpenAI,
  type AnthropicScenario,
  type FakeServer,
  type OpenAIScenario,
} from '@flotilla/testkit';
import { homePaths, type HomePaths } from '../home.js';

const DAEMON_MAIN = fileURLToPath(new URL('../../dist/daemon/main.js', import.meta.url));
export const CB_BIN = fileURLToPath(new URL('../../bin/cb.cjs', import.meta.url));
const API_KEY = 'sk-ant-test-0123456789abcdefghijklmnop';

export interface Harness extends AsyncDisposable {
  root: string;
  repo: string;
  paths: HomePaths;
  env: Record<string, string>;
  anthropic: FakeServer<AnthropicScenario>;
  openai: FakeServer<OpenAIScenario>;
  client: FlotillaClient;
  daemon: ChildProcess | null;
  startDaemon(): Promise<void>;
  /** kill -9: the daemon dies at once, its tmux sessions live on. */
  killDaemon(): Promise<void>;
  /** A job as the CLI would create it: cwd = the repo, allowlisted variables of the invoking shell. */
  createJob(request: Partial<CreateJobRequest> & { prompt: string }): Promise<Job>;
  waitEnded(id: string, timeoutMs?: number): Promise<Job>;
  tmux(...args: string[]): string;
}

export async function startHarness(options: { anthropic?: AnthropicScenario; openai?: OpenAIScenario; config?: Record<string, unknown> } = {}): Promise<Harness> {
  const dir = await makeTempDir('cb-e2e-');
  const home = join(dir.path, 'home');
  const repo = join(dir.path, 'repo');
  const flotillaHome = join(dir.path, 'fl');
  for (const d of [home, repo, flotillaHome]) mkdirSync(d, { recursive: true });
  await makeGitRepo(repo);
  const anthropic = await startFakeAnthropic(options.anthropic ?? []);
  const openai = await startFakeOpenAI(options.openai ?? []);
  await seedClaudeHome(home, { apiKey: API_KEY, cwds: [repo] });
  await seedCodexHome(home, { baseUrl: `${openai.url}/v1`, cwds: [repo] });
  writeFileSync(join(flotillaHome, 'config.json'), JSON.stringify({ envAllowlist: ['FAKE_'], notifySend: false, backoff: { baseMs: 200, maxMs: 1000 }, ...options.config }));
  const env: Record<string, string> = {
    ...codexEnv({ home, apiKey: 'sk-openai-test' }),
    ...claudeEnv({ home, baseUrl: anthropic.url, apiKey: API_KEY }),
    FLOTILLA_HOME: flotillaHome,
    FLOTILLA_HOST_NAME: 'e2e-host',
    // Agents found on the machine (other tests' tmux panes) would show in every listing; the discovery suite turns it on.
    FLOTILLA_DISCOVERY: 'off',
  };
  env.PATH = `${agentBinDir()}:${env.PATH}`;
  const paths = homePaths(flotillaHome);
  const client = createClient(createSocketTransport(paths.socket));
  const clientEnv = Object.fromEntries(Object.entries(env).filter(([k]) => /^(ANTHROPIC_|CLAUDE_|OPENAI_|CODEX_|FAKE_|IS_SANDBOX|DISABLE_)/.test(k)));

  const harness: Harness = {
    root: dir.path,
    repo,
    paths,
    env,
    anthropic,
    openai,
    client,
    daemon: null,
    async startDaemon() {
      const log = openSync(paths.daemonLog, 'a');
      const child = spawn(process.execPath, [DAEMON_MAIN], { env, stdio: ['ignore', log, log], detached: true });
      closeSync(log);
      harness.daemon = child;
      await waitFor(async () => (await client.health().then(() => true, () => false)), 15_000, () => readFileSync(paths.daemonLog, 'utf8'));
    },
    async killDaemon() {
      const child = harness.daemon;
      if (!child?.pid) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid, 'SIGKILL');
      await exited;
      harness.daemon = null;
    },
    createJob: (request) => client.createJob({ cwd: repo, clientEnv, ...request }),
    async waitEnded(id, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await client.waitJob(id, { timeoutMs: Math.max(1, Math.min(10_000, deadline - Date.now())) });
        if (isTerminal(job.status) || Date.now() >= deadline) return job;
      }
    },
    tmux: (...args) => spawnSync('tmux', ['-L', paths.tmuxSocketName, ...args], { encoding: 'utf8' }).stdout,
    async [Symbol.asyncDispose]() {
      if (harness.daemon?.pid) {
        try {
          process.kill(harness.daemon.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      spawnSync('tmux', ['-L', paths.tmuxSocketName, 'kill-server']);
      await anthropic.close();
      await openai.close();
      await dir[Symbol.asyncDispose]();
    },
  };
  await harness.startDaemon();
  return harness;
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, describe?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms${describe ? `\n${describe()}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Events from the start of the outbox that `keep` accepts, until `done` says enough or `timeoutMs`
 * passes (the stream is then cut; what arrived is returned).
 */
export async function collectEvents(
  client: FlotillaClient,
  keep: (event: FlotillaEvent) => boolean,
  done: (kept: FlotillaEvent[]) => boolean,
  timeoutMs = 10_000,
): Promise<FlotillaEvent[]> {
  const events: FlotillaEvent[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    for await (const event of client.events({ lastEventId: 0, signal: controller.signal })) {
      if (keep(event)) events.push(event);
      if (done(events)) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}
