// `mesh attach` into a bare host's session or job runs tmux attach on the bare server through the
// user's own ssh (recorded here by a fake ssh), and into a daemon host's session `cb attach`.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ProtocolError, type Host } from '@flotilla/protocol';
import { attach } from '../cli/attach-command.js';
import type { MeshCliContext } from '../cli/context.js';
import type { FleetClient } from '../cli/fleet-client.js';
import { newJobRecord, newSessionRecord } from './bare-records.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-bare-attach-'));
const fakeSsh = join(dir, 'ssh');
writeFileSync(fakeSsh, `#!/bin/sh\nprintf '%s\\0' "$@" > ${dir}/argv\n`);
chmodSync(fakeSsh, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T = '2026-11-25T10:00:00.000Z';
const session = newSessionRecord({ id: '01JB0000000000000000000002', host: 'mac', request: { name: 'chat', cwd: '/w', agent: 'claude', worktree: false, alerts: [] }, now: T });
const job = newJobRecord({ id: '01JB0000000000000000000001', host: 'mac', request: { prompt: 'p', cwd: '/w' }, idempotencyKey: 'k', now: T });

function fleet(mode: Host['mode']): FleetClient {
  const missing = () => Promise.reject(new ProtocolError('SESSION_NOT_FOUND', 'no such session'));
  return {
    getSession: (name: string) => (name === 'chat' ? Promise.resolve(session) : missing()),
    getJob: () => Promise.resolve(job),
    hosts: () => Promise.resolve([{ name: 'mac', spec: 'me@mac', mode } as Host]),
  } as unknown as FleetClient;
}

async function sshArgv(client: FleetClient, ref: string): Promise<string[]> {
  const ctx = { env: { MESH_SSH: fakeSsh }, streams: { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough() } } as unknown as MeshCliContext;
  expect(await attach(client, ref, ctx)).toBe(0);
  return readFileSync(join(dir, 'argv'), 'utf8').split('\0').slice(0, -1);
}

describe('mesh attach', () => {
  it("attaches to a bare host's session and job on its own tmux server", async () => {
    expect(await sshArgv(fleet('tmux'), 'chat')).toEqual(['-t', 'me@mac', `PATH="$PATH:/usr/local/bin:/opt/homebrew/bin"; exec tmux -u -L flotilla-bare -f /dev/null attach-session -t '=fbs-${session.id}'`]);
    expect((await sshArgv(fleet('tmux'), job.id))[2]).toContain(`attach-session -t '=fbj-${job.id}'`);
  });

  it("attaches to a daemon host's session with cb", async () => {
    expect((await sshArgv(fleet('daemon'), 'chat'))[2]).toMatch(/; exec cb attach chat$/);
  });
});
