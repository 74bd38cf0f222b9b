// A live terminal through the hub: a real hub on 127.0.0.1 (cookie, Host/Origin checks), a real
// namespace host over SSH with the cb daemon the hub started there, and a WebSocket that the hub
// passes through to that daemon over a forwarded channel. Read-only by default; typing only with
// the hub's own token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, Peek, Session } from '@flotilla/protocol';
import { netnsUnavailableReason } from '../test-support/netns.test-support.js';
import { startSshHub, type SshHub } from '../test-support/ssh-hub.test-support.js';
import { until } from '../test-support/until.test-support.js';
import { openTerminal, type Refused, type TerminalClient } from './terminal-client.test-support.js';

const skip = netnsUnavailableReason();
let fleet: SshHub;
let base: string;
let cookie: string;
const opened: TerminalClient[] = [];
const REF = 'shell@ht1';
const input = (text: string) => ({ type: 'input', data: Buffer.from(text).toString('base64') });

/** Opens `path` on the hub as a signed-in browser on the hub's page would (its cookie and Origin). */
async function open(path: string, headers: Record<string, string> = {}): Promise<TerminalClient> {
  const client = await openTerminal({ url: `${base.replace('http', 'ws')}${path}`, headers: { cookie: `flotilla_token=${cookie}`, origin: base, ...headers } });
  if ('refused' in client) throw new Error(`refused: ${client.status} ${client.error}`);
  opened.push(client);
  return client;
}

async function refusal(path: string, headers: Record<string, string> = {}): Promise<Refused> {
  const client = await openTerminal({ url: `${base.replace('http', 'ws')}${path}`, headers: { cookie: `flotilla_token=${cookie}`, origin: base, ...headers } });
  if (!('refused' in client)) throw new Error(`${path} was not refused`);
  return client;
}

async function peek(): Promise<string> {
  const res = await fleet.transport.request({ method: 'GET', path: `/api/sessions/${encodeURIComponent(REF)}/peek` });
  return (res.body as Peek).lines.join("\n");
}

describe.skipIf(skip !== null)('terminals through the hub, to a host over SSH (slow)', () => {
  beforeAll(async () => {
    fleet = await startSshHub({ count: 1, prefix: 'ht', hub: { port: 0 } });
    base = fleet.running.http!.url;
    cookie = (await fleet.running.browsers.exchange(fleet.running.browsers.issue()))!;
    // A shell in a session pane: it prints a line only a running shell could (the sum), then waits for input.
    const res = await fleet.transport.request({
      method: 'POST',
      path: '/api/sessions',
      query: { host: 'ht1' },
      body: { name: 'shell', cwd: '/tmp', command: ['/bin/sh', '-c', 'echo "remote-screen-$((40+2))"; exec /bin/sh'] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await until('the session in the hub', async () => ((await fleet.client.listSessions()) as Session[]).some((s) => s.name === 'shell' && s.host === 'ht1'));
    await until('the shell to print its line', async () => (await peek()).includes('remote-screen-42'));
  }, 150_000);

  afterAll(async () => {
    for (const client of opened) client.close();
    await fleet?.close();
  });

  it("should show the remote session's screen through the hub's WebSocket, read-only by default", async () => {
    const viewer = await open(`/api/sessions/${encodeURIComponent(REF)}/terminal`);
    const hello = await viewer.waitFor('hello', (m) => m.type === 'hello');
    expect(hello).toMatchObject({ type: 'hello', readOnly: true, cols: 200, rows: 50 });
    await until('the screen to arrive', async () => viewer.screen().includes('remote-screen-42'), 15_000);
  });

  it('should refuse a keystroke while locked: the daemon answers READ_ONLY and the pane never gets it', async () => {
    const viewer = await open(`/api/sessions/${encodeURIComponent(REF)}/terminal`);
    await viewer.waitFor('hello', (m) => m.type === 'hello');
    viewer.sendJson(input('echo "locked-$((1+1))"\r'));
    const error = await viewer.waitFor('READ_ONLY', (m) => m.type === 'error');
    expect(error).toMatchObject({ code: 'READ_ONLY' });
    // A viewer's size never reaches the pane: no error, and the pane stays 200×50.
    viewer.sendJson({ type: 'resize', cols: 80, rows: 24 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await peek()).not.toContain('locked-');
    expect(viewer.messages.filter((m) => m.type === 'error')).toHaveLength(1);
  });

  it("should not unlock typing with the page's cookie or a viewer token, only with the hub's own token", async () => {
    const path = `/api/sessions/${encodeURIComponent(REF)}/terminal?input=1`;
    const byCookie = await refusal(path);
    expect(byCookie.status).toBe(401);
    expect(byCookie.error).toContain('UNAUTHORIZED');
    const byViewerToken = await refusal(`${path}&token=${cookie}`);
    expect(byViewerToken.status).toBe(401);
    // A plain GET (what the page asks to learn why an upgrade failed) says the same in JSON.
    const probe = await fetch(`${base}${path}`, { headers: { cookie: `flotilla_token=${cookie}` } });
    expect(probe.status).toBe(401);
    expect(((await probe.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
  });

  it('should deliver keystrokes once unlocked with the hub token, and every viewer sees them', async () => {
    const watcher = await open(`/api/sessions/${encodeURIComponent(REF)}/terminal`);
    await watcher.waitFor('hello', (m) => m.type === 'hello');
    const typist = await open(`/api/sessions/${encodeURIComponent(REF)}/terminal?input=1&token=${fleet.running.token}`);
    expect(await typist.waitFor('hello', (m) => m.type === 'hello')).toMatchObject({ readOnly: false });
    typist.sendJson(input('echo "unlocked-$((3+4))"\r'));
    await until('the typed command to run', async () => typist.screen().includes('unlocked-7'), 15_000);
    await until('the read-only viewer to see it too', async () => watcher.screen().includes('unlocked-7'), 15_000);
    expect(await peek()).toContain('unlocked-7');
    expect(typist.messages.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('should keep the Origin check and pass on the daemon\'s own refusals', async () => {
    const crossSite = await refusal(`/api/sessions/${encodeURIComponent(REF)}/terminal`, { origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    const unknown = await refusal(`/api/sessions/${encodeURIComponent('nobody@ht1')}/terminal`);
    expect(unknown.error).toContain('SESSION_NOT_FOUND');
    const noCookie = await openTerminal({ url: `${base.replace('http', 'ws')}/api/sessions/${encodeURIComponent(REF)}/terminal`, headers: { origin: base } });
    expect(noCookie).toMatchObject({ refused: true, status: 401 });
  });

  it("should show a running job's terminal on the host that runs it", async () => {
    const job = await fleet.dispatch('ht1', 'echo "job-screen-$((6*7))"; sleep 20');
    await until('the job to run', async () => ((await fleet.client.getJob(job.id)) as Job).status === 'running', 30_000);
    const viewer = await open(`/api/jobs/${job.id}/terminal`);
    await viewer.waitFor('hello', (m) => m.type === 'hello');
    await until('the job screen', async () => viewer.screen().includes('job-screen-42'), 15_000);
    await fleet.client.cancelJob(job.id);
  });
});
