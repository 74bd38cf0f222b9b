// The bare-mode timing options reach the host connection: a host where cb is missing is driven
// bare, and once cb runs there (as after `mesh hosts bootstrap`) the hub switches to its daemon at
// the pace of `bareRecheckMs`, not the 60 s default. A real cb daemon, a real tmux, a local link.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createSocketTransport } from '@flotilla/kit/transport';
import type { Host } from '@flotilla/protocol';
import { hubPaths } from '../cli/context.js';
import { CB_BIN, SHELL_AGENT } from '../test-support/local-fleet.test-support.js';
import { until } from '../test-support/until.test-support.js';
import { createLocalLink } from './local-link.js';
import { serveHub, type RunningHub } from './serve-hub.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'mesh-bare-timing-'));
const home = join(dir, 'host');
const env = {
  HOME: dir,
  FLOTILLA_HOME: home,
  FLOTILLA_HOST_NAME: 'daemon-gamma',
  FLOTILLA_DISCOVERY: 'off',
  TMUX_TMPDIR: dir,
  PATH: '/usr/bin:/bin',
};
let running: RunningHub | null = null;

/** `~/.flotilla/bin/cb` (the first place the hub looks): "not found" until the test installs cb. */
function writeCbShim(): void {
  const bin = join(dir, '.flotilla', 'bin');
  mkdirSync(bin, { recursive: true });
  const shim = join(bin, 'cb');
  writeFileSync(shim, `#!/bin/sh\n[ -f "$HOME/cb-installed" ] && exec ${process.execPath} ${CB_BIN} "$@"\necho "cb: command not found" >&2\nexit 127\n`);
  chmodSync(shim, 0o755);
}

afterAll(async () => {
  await running?.close();
  const options = { env: { ...process.env, ...env } };
  await run(process.execPath, [CB_BIN, 'daemon', 'stop'], options).catch(() => undefined);
  await run('tmux', ['-L', 'flotilla-bare', 'kill-server'], options).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('serveHub bare-mode timing', () => {
  it('should switch a bare host to its daemon within bareRecheckMs once cb runs there', { timeout: 120_000 }, async () => {
    mkdirSync(home);
    writeFileSync(join(home, 'config.json'), JSON.stringify({ agents: SHELL_AGENT, notifySend: false, slots: 2 }));
    writeCbShim();
    const paths = hubPaths({ FLOTILLA_HOME: join(dir, 'hub') });
    running = await serveHub({
      paths,
      name: 'hub',
      dashboardDir: null,
      readHosts: async () => [{ name: 'gamma', spec: 'local:gamma', target: 'local' }],
      openLink: (entry) => createLocalLink({ name: entry.name, env }),
      barePollMs: 300,
      bareRecheckMs: 1_000,
    });
    const transport = createSocketTransport(paths.socket);
    const gamma = async (): Promise<Host | undefined> => ((await transport.request({ method: 'GET', path: '/api/hosts' })).body as Host[])[0];
    const bare = await until('gamma driven bare', async () => ((await gamma())?.mode === 'tmux' ? gamma() : null), 60_000);
    expect(bare?.modeReason).toContain('cb is not installed on gamma');
    writeFileSync(join(dir, 'cb-installed'), '');
    const installedAt = Date.now();
    const attached = await until('gamma with its daemon', async () => ((await gamma())?.mode === 'daemon' ? gamma() : null), 30_000);
    expect(attached?.cbVersion).toMatch(/^\d+\.\d+\.\d+/);
    // The default re-check (60 s) would not have noticed yet.
    expect(Date.now() - installedAt).toBeLessThan(30_000);
  });
});
