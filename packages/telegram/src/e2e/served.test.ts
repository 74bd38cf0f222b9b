import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocketTransport } from '@flotilla/kit/transport';
import { createClient, type FlotillaClient, type Transport } from '@flotilla/protocol';
import { DAEMON_MAIN } from '../bot/real-daemon.test-helper.js';
import { shortHash, telegramPaths } from '../config/paths.js';
import { OWNER, until } from '../test-support/e2e-world.test-support.js';
import { startFakeBotApi, type FakeBotApi } from '../test-support/fake-bot-api.test-support.js';

const MESH_BIN = fileURLToPath(new URL('../../../mesh/bin/mesh.cjs', import.meta.url));

/** The bot as a user gets it without running it themselves: `cb serve` starts it beside the daemon (kit's findTelegramAddon). */
let api: FakeBotApi;
let dir: string;
let home: string;
let daemon: ChildProcess | null = null;

beforeAll(async () => {
  api = await startFakeBotApi();
  dir = mkdtempSync(join(tmpdir(), 'tg-served-'));
  home = join(dir, 'fl');
  mkdirSync(home);
  writeFileSync(join(home, 'config.json'), JSON.stringify({ notifySend: false, slots: 2 }));
});
afterAll(async () => {
  await stopDaemon();
  spawnSync('tmux', ['-L', `flotilla-${shortHash(home)}`, 'kill-server']);
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startDaemon(): Promise<FlotillaClient & { transport: Transport }> {
  const env = {
    ...process.env,
    FLOTILLA_HOME: home,
    FLOTILLA_DISCOVERY: 'off',
    TELEGRAM_BOT_TOKEN: api.token,
    TELEGRAM_ALLOWED_USERS: String(OWNER.id),
    TELEGRAM_API_ROOT: api.apiRoot,
  };
  const log = openSync(join(home, 'daemon.log'), 'a');
  daemon = spawn(process.execPath, [DAEMON_MAIN], { env, stdio: ['ignore', log, log], detached: true, cwd: dir });
  closeSync(log);
  const transport = createSocketTransport(telegramPaths(home).cbSocket);
  const client = Object.assign(createClient(transport), { transport });
  await until('the daemon answering', () => client.health().then(() => true, () => false), 30_000);
  return client;
}

async function stopDaemon(): Promise<void> {
  const child = daemon;
  daemon = null;
  if (!child?.pid || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid, 'SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function askForHelp(): Promise<void> {
  const mark = api.mark();
  api.pushMessage({ from: OWNER, text: '/help' });
  await api.waitForMessage((entry) => entry.seq > mark && entry.chatId === OWNER.id && entry.text.includes('/run'), 60_000);
}

describe('cb serve runs the bot beside the daemon', () => {
  it('should start the bot when the daemon serves, report it, stop it with the daemon and start it again on the remembered port', async () => {
    let client = await startDaemon();
    expect(await client.telegramStatus()).toMatchObject({ installed: true, process: null });
    expect((await client.capabilities()).addons).toContain('telegram');

    await client.transport.request({ method: 'POST', path: '/api/daemon/serve', body: { port: 0 } });
    await askForHelp();
    const status = await client.telegramStatus();
    expect(status.process).toMatchObject({ name: 'telegram', running: true, restarts: 0 });
    expect(status.bot).toMatchObject({ configured: true, allowedUsers: [OWNER.id], mode: 'polling' });
    expect(JSON.stringify(status)).not.toContain(api.token);
    const botPid = status.process!.pid!;

    await stopDaemon();
    await until('the bot to stop with the daemon', () => !alive(botPid), 20_000);

    client = await startDaemon();
    await askForHelp();
    const again = await client.telegramStatus();
    expect(again.process).toMatchObject({ running: true });
    expect(again.process!.pid).not.toBe(botPid);
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).not.toContain(api.token);
  }, 240_000);
});

describe('mesh serve runs the bot beside the hub', () => {
  it('should answer from the hub, report the bot at /api/addons/telegram and stop it with the hub', async () => {
    await stopDaemon(); // its bot polls the same token
    const hubHome = join(dir, 'hub');
    mkdirSync(hubHome);
    const env = { ...process.env, FLOTILLA_HOME: hubHome, FLOTILLA_HOST_NAME: 'tg-hub', TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_ALLOWED_USERS: String(OWNER.id), TELEGRAM_API_ROOT: api.apiRoot };
    const hub = spawn(process.execPath, [MESH_BIN, 'serve'], { env, stdio: 'ignore' });
    const exited = new Promise((resolve) => hub.once('exit', resolve));
    try {
      const client = createClient(createSocketTransport(join(hubHome, 'mesh.sock')));
      await until('the hub answering', () => client.health().then(() => true, () => false), 30_000);
      const mark = api.mark();
      api.pushMessage({ from: OWNER, text: '/status' });
      const reply = await api.waitForMessage((entry) => entry.seq > mark && entry.chatId === OWNER.id, 60_000);
      expect(reply.text).toMatch(/^Hub tg-hub/);
      const status = await client.telegramStatus();
      expect(status).toMatchObject({ installed: true, process: { running: true }, bot: { allowedUsers: [OWNER.id] } });
      expect((await client.capabilities()).addons).toContain('telegram');
      hub.kill('SIGTERM');
      await exited;
      await until('the bot to stop with the hub', () => !alive(status.process!.pid!), 20_000);
    } finally {
      if (hub.exitCode === null) hub.kill('SIGKILL');
    }
  }, 180_000);
});
