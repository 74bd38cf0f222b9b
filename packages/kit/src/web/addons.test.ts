import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findAddonBin, findTelegramAddon } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'kit-addons-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function installBeside(name: string, manifest: object, files: string[], body = '#!/usr/bin/env node\n'): void {
  const dir = join(root, 'node_modules', name);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...manifest }));
  for (const file of files) writeFileSync(join(dir, file), body);
}

describe('findAddonBin', () => {
  const from = pathToFileURL(join(root, 'server.js')).href;

  it('should find a named bin of a package installed beside the server', () => {
    installBeside('@acme/bot', { bin: { 'acme-bot': './bin/bot.cjs' } }, ['bin/bot.cjs']);
    expect(findAddonBin('@acme/bot', 'acme-bot', from)).toBe(join(root, 'node_modules', '@acme/bot', 'bin', 'bot.cjs'));
  });

  it('should be null for a missing package, a missing bin name, or a bin file that is not there', () => {
    installBeside('@acme/empty', { bin: { other: './bin/other.cjs' } }, []);
    expect(findAddonBin('@acme/absent', 'x', from)).toBeNull();
    expect(findAddonBin('@acme/bot', 'nope', from)).toBeNull();
    expect(findAddonBin('@acme/empty', 'other', from)).toBeNull();
  });
});

/** A stand-in `cb-telegram`: `status --json` prints facts; `run --server S` records its argv and FLOTILLA_HOME, then runs (or exits 78 when told it is unconfigured). */
const FAKE_BOT = `
const [command, ...rest] = process.argv.slice(2);
if (command === 'status') { console.log(JSON.stringify({ configured: true, username: 'fleet_bot', allowedUsers: [42], mode: 'polling', problem: null })); process.exit(0); }
require('node:fs').writeFileSync(process.env.RECORD, JSON.stringify({ command, rest, home: process.env.FLOTILLA_HOME }));
if (process.env.UNCONFIGURED) { console.error('no bot token: run cb-telegram setup'); process.exit(78); }
setInterval(() => {}, 1000);
`;

describe('findTelegramAddon', () => {
  const server = join(root, 'srv');
  mkdirSync(join(server, 'node_modules'), { recursive: true });
  const from = pathToFileURL(join(server, 'server.js')).href;
  const record = join(root, 'bot-run.json');

  it('should run the bot pointed at the server socket, report its facts and stop it', async () => {
    const dir = join(server, 'node_modules', '@flotilla', 'telegram');
    mkdirSync(join(dir, 'bin'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@flotilla/telegram', bin: { 'cb-telegram': './bin/cb-telegram.cjs' } }));
    writeFileSync(join(dir, 'bin', 'cb-telegram.cjs'), FAKE_BOT);
    const addon = findTelegramAddon({ from, home: '/srv/home', socket: '/srv/home/cb.sock', env: { RECORD: record } })!;
    expect(await addon.status()).toMatchObject({ installed: true, process: null, bot: { username: 'fleet_bot', allowedUsers: [42] } });
    addon.ensureRunning();
    addon.ensureRunning();
    await waitFor(() => readFileSync(record, 'utf8'));
    expect(JSON.parse(readFileSync(record, 'utf8'))).toEqual({ command: 'run', rest: ['--server', '/srv/home/cb.sock'], home: '/srv/home' });
    const running = await addon.status();
    expect(running.process).toMatchObject({ name: 'telegram', running: true, restarts: 0 });
    await addon.stop();
    expect((await addon.status()).process).toMatchObject({ running: false });
  });

  it('should not start a bot again that exits 78 for want of a configuration', async () => {
    rmSync(record, { force: true });
    const addon = findTelegramAddon({ from, home: root, socket: '/x.sock', env: { RECORD: record, UNCONFIGURED: '1' } })!;
    addon.ensureRunning();
    await waitFor(async () => ((await addon.status()).process?.lastExit === 'exit 78' ? 'yes' : ''));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await addon.status()).process).toMatchObject({ running: false, restarts: 0, lastError: 'no bot token: run cb-telegram setup' });
    await addon.stop();
  });
});

async function waitFor(read: () => string | Promise<string>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await read()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
