// Tests only: the end-to-end world — a real `cb` daemon under its own FLOTILLA_HOME running the real
// Claude Code CLI against testkit's fake Anthropic API, the fake Telegram Bot API and transcription
// endpoint, and the real bot (`createTelegramBot`) pointed at them through grammY's apiRoot.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSocketTransport } from '@flotilla/kit/transport';
import { createClient, type FlotillaClient, type Transport } from '@flotilla/protocol';
import { agentBinDir, claudeEnv, makeGitRepo, makeTempDir, seedClaudeHome, startFakeAnthropic, type AnthropicScenario, type FakeServer } from '@flotilla/testkit';
import { createTelegramBot, type TelegramBot } from '../bot/create-bot.js';
import { shortHash, telegramPaths } from '../config/paths.js';
import { createTranscriber } from '../voice/index.js';
import { startFakeBotApi, type FakeBotApi } from './fake-bot-api.test-support.js';
import { startFakeTranscriber, type FakeTranscriber } from './fake-transcriber.test-support.js';

/** cb is not a dependency of this package (turbo saw a cycle): its built daemon and bin are reached by path. */
export const DAEMON_MAIN = fileURLToPath(new URL('../../../cb/dist/daemon/main.js', import.meta.url));
export const CB_TELEGRAM_BIN = fileURLToPath(new URL('../../bin/cb-telegram.cjs', import.meta.url));
const API_KEY = 'sk-ant-telegram-e2e-0123456789abcdef';
/** How long the daemon gets to answer its first health check (it migrates a fresh database first). */
const DAEMON_START_MS = 20_000;

/** The person on the allowlist, and their private chat with the bot. */
export const OWNER = { id: 5_550_001, first_name: 'Ada', username: 'ada' };

export interface DaemonWorld extends AsyncDisposable {
  root: string;
  /** The agents' HOME (seeded for Claude Code) and the daemon's default working directory. */
  home: string;
  repo: string;
  flotillaHome: string;
  env: Record<string, string>;
  anthropic: FakeServer<AnthropicScenario>;
  client: FlotillaClient;
  transport: Transport;
  daemonLog(): string;
}

export interface BotWorld extends DaemonWorld {
  api: FakeBotApi;
  transcription: FakeTranscriber;
  telegram: TelegramBot;
  /** Every line the bot logged. */
  logs: string[];
}

async function waitForHealth(client: FlotillaClient, logPath: string): Promise<void> {
  const deadline = Date.now() + DAEMON_START_MS;
  while (!(await client.health().then(() => true, () => false))) {
    if (Date.now() > deadline) throw new Error(`the daemon did not start:\n${readFileSync(logPath, 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A real daemon whose agents are the real Claude Code against a fake model; `config` goes into its config.json. */
export async function startDaemonWorld(options: { config?: Record<string, unknown> } = {}): Promise<DaemonWorld> {
  const dir = await makeTempDir('tg-e2e-');
  const home = join(dir.path, 'home');
  const repo = join(dir.path, 'repo');
  const flotillaHome = join(dir.path, 'fl');
  for (const path of [home, repo, flotillaHome]) mkdirSync(path, { recursive: true });
  await makeGitRepo(repo);
  const anthropic = await startFakeAnthropic([]);
  await seedClaudeHome(home, { apiKey: API_KEY, cwds: [repo, home] });
  writeFileSync(join(flotillaHome, 'config.json'), JSON.stringify({ notifySend: false, backoff: { baseMs: 200, maxMs: 1000 }, ...options.config }));
  const env: Record<string, string> = {
    ...claudeEnv({ home, baseUrl: anthropic.url, apiKey: API_KEY }),
    FLOTILLA_HOME: flotillaHome,
    FLOTILLA_HOST_NAME: 'phone-e2e',
    FLOTILLA_DISCOVERY: 'off',
  };
  env.PATH = `${agentBinDir()}:${env.PATH}`;
  const logPath = join(flotillaHome, 'daemon-e2e.log');
  const log = openSync(logPath, 'a');
  const daemon: ChildProcess = spawn(process.execPath, [DAEMON_MAIN], { env, cwd: home, stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  const transport = createSocketTransport(telegramPaths(flotillaHome).cbSocket);
  const client = createClient(transport);
  const close = async (): Promise<void> => {
    if (daemon.pid && daemon.exitCode === null) {
      const exited = new Promise((resolve) => daemon.once('exit', resolve));
      process.kill(daemon.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (daemon.exitCode === null) process.kill(daemon.pid, 'SIGKILL');
    }
    spawnSync('tmux', ['-L', `flotilla-${shortHash(flotillaHome)}`, 'kill-server'], { stdio: 'ignore' });
    await anthropic.close();
    await dir[Symbol.asyncDispose]();
  };
  try {
    await waitForHealth(client, logPath);
  } catch (error) {
    await close();
    throw error;
  }
  return { root: dir.path, home, repo, flotillaHome, env, anthropic, client, transport, daemonLog: () => readFileSync(logPath, 'utf8'), [Symbol.asyncDispose]: close };
}

/** The daemon world plus the fake Bot API, a fake transcription endpoint and the real bot, polling. */
export async function startBotWorld(options: { config?: Record<string, unknown> } = {}): Promise<BotWorld> {
  const daemon = await startDaemonWorld(options);
  const api = await startFakeBotApi();
  const transcription = await startFakeTranscriber();
  const logs: string[] = [];
  const telegram = createTelegramBot({
    token: api.token,
    allowedUsers: [OWNER.id],
    client: daemon.client,
    transport: daemon.transport,
    apiRoot: api.apiRoot,
    home: daemon.flotillaHome,
    transcriber: createTranscriber({ url: transcription.url }),
    log: (line) => void logs.push(line),
  });
  await telegram.start();
  return {
    ...daemon,
    api,
    transcription,
    telegram,
    logs,
    async [Symbol.asyncDispose]() {
      await telegram.stop().catch(() => undefined);
      await api.close();
      await transcription.close();
      await daemon[Symbol.asyncDispose]();
    },
  };
}

/** Polls `probe` until it gives a value (not undefined / false / null). */
export async function until<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
