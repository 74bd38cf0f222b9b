import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocketTransport } from '@flotilla/kit/transport';
import { createBoardClient, createPipelineClient } from '@flotilla/protocol';
import { findServer, type FlotillaServer } from '../config/server.js';
import { createTelegramBot } from './create-bot.js';
import { BOT_INFO, recordApi, textUpdate, until } from './real-daemon.test-helper.js';

// A real mesh hub with no hosts yet: enough for the hub's own answers (capabilities, board, hosts).
const MESH_BIN = fileURLToPath(new URL('../../../mesh/bin/mesh.cjs', import.meta.url));
const MESH_BUILT = existsSync(fileURLToPath(new URL('../../../mesh/dist/cli/main.js', import.meta.url)));

let home: string;
let hub: ChildProcess;
let server: FlotillaServer;

describe.skipIf(!MESH_BUILT)('the bot against a real mesh hub', () => {
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'tg-hub-'));
    hub = spawn(process.execPath, [MESH_BIN, 'serve'], { env: { ...process.env, FLOTILLA_HOME: home, FLOTILLA_HOST_NAME: 'tg-hub' }, stdio: 'ignore' });
    server = await until(() => findServer({ home, env: {} }).catch(() => undefined), 20_000, 'the hub to answer on mesh.sock');
    await createBoardClient(createSocketTransport(join(home, 'mesh.sock'))).addTask({ title: 'wire the <bot> to the board', by: 'test' });
  });
  afterAll(async () => {
    if (hub?.exitCode === null) {
      const exited = new Promise((resolve) => hub.once('exit', resolve));
      hub.kill('SIGTERM');
      await exited;
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('should find the hub on mesh.sock before any daemon, and show its board, status and dispatch errors', async () => {
    expect(server).toMatchObject({ isHub: true, where: join(home, 'mesh.sock'), capabilities: { kind: 'hub' } });
    const telegram = createTelegramBot({ token: '4242:AAH-hub', allowedUsers: [111], client: server.client, transport: server.transport, isHub: true, home, botInfo: BOT_INFO, log: () => undefined });
    const calls = recordApi(telegram.bot);
    const last = (): string => String(calls.filter((c) => c.method === 'sendMessage').at(-1)?.payload.text);
    await telegram.bot.handleUpdate(textUpdate('/board'));
    expect(last()).toMatch(/^<b>Board<\/b> \(1 open\)\n<code>T-1<\/code> todo · wire the &lt;bot&gt; to the board$/);
    await telegram.bot.handleUpdate(textUpdate('/status'));
    expect(last()).toMatch(/^<b>Hub<\/b> <code>tg-hub<\/code> · v[\d.]+\nno hosts yet \(add one with <code>mesh hosts add NAME<\/code>\)\n\n▶️ running 0 · queued 0 · waiting to retry 0\n✅ no rate-limit pauses$/);
    await telegram.bot.handleUpdate(textUpdate('/run @nowhere echo hi'));
    expect(last()).toBe('⚠️ no host named nowhere in this fleet\n<i>fix:</i> see `mesh hosts ls`; add one with `mesh hosts add NAME`');
    await telegram.stop();
  });

  it("should send a director's pause alert posted to the hub to the phone", async () => {
    const telegram = createTelegramBot({ token: '4242:AAH-hub', allowedUsers: [111], client: server.client, transport: server.transport, isHub: true, home, botInfo: BOT_INFO, log: () => undefined });
    const calls = recordApi(telegram.bot);
    await telegram.start({ polling: false });
    const alerts = () => calls.filter((c) => c.method === 'sendMessage' && String(c.payload.text).includes('director paused'));
    try {
      // The director raises it through the hub's POST /api/notifications (packages/director/src/pipeline).
      await createPipelineClient(server.transport).notify({
        title: 'director paused until 03:40 UTC',
        body: '12 of 15 runs were rate-limited (claude); no attempt was charged. It resumes by itself.',
        level: 'warning',
        kind: 'director.pause',
      });
      await until(() => (alerts().length > 0 ? true : undefined), 15_000, 'the pause alert to reach the phone');
      expect(alerts()).toHaveLength(1);
      expect(alerts()[0]!.payload).toMatchObject({ chat_id: 111 });
      expect(String(alerts()[0]!.payload.text)).toBe(
        '⚠️ <b>director paused until 03:40 UTC</b>\n12 of 15 runs were rate-limited (claude); no attempt was charged. It resumes by itself.',
      );
    } finally {
      await telegram.stop();
    }
  });
});

