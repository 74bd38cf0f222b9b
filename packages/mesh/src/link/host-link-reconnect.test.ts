// End to end (slow): a namespace host's link cut with `ip link set … down` and restored.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKitError } from '@flotilla/kit/transport';
import { netnsUnavailableReason, startNetnsHosts, type NetnsHost, type NetnsHosts } from '../test-support/netns.test-support.js';
import { openHostLink } from './index.js';
import type { HostLink, LinkStatus } from './host-link.js';

const skip = netnsUnavailableReason();

describe.skipIf(skip !== null)(`a cut and restored SSH link (slow)${skip === null ? '' : ` — skipped: ${skip}`}`, () => {
  let net: NetnsHosts;
  let host: NetnsHost;
  let link: HostLink;
  let socket: string;

  beforeAll(async () => {
    net = await startNetnsHosts({ count: 1, prefix: 'rc' });
    host = net.hosts[0] as NetnsHost;
    socket = (await net.startDaemon(host)).socket;
    link = openHostLink({ name: host.name, target: host.name, sshConfig: net.sshConfig, agentSocket: null, backoff: { initialMs: 500, maxMs: 2_000 } });
    await link.ready(20_000);
  }, 120_000);

  afterAll(async () => {
    await link?.close();
    await net?.down();
  }, 60_000);

  it('should go down within 10 s of a cut, come back up after the restore, and serve the transport and the reverse socket again', async () => {
    const hub = createServer((_req, res) => res.end('hub here'));
    const reverseSocket = join(host.dir, 'hub.sock');
    await link.serveReverse(reverseSocket, (stream) => hub.emit('connection', stream));
    const curl = `curl -s --max-time 5 --unix-socket ${reverseSocket} http://hub/`;
    expect(await link.exec(curl)).toMatchObject({ code: 0, stdout: 'hub here' });
    const transport = link.transport(socket);
    expect((await transport.request({ method: 'GET', path: '/health' })).status).toBe(200);
    const seen: LinkStatus[] = [];
    link.onStatus((status) => seen.push(status));

    const cutAt = Date.now();
    await net.cut(host);
    await waitForState(link, 'down', 15_000);
    const detectedMs = Date.now() - cutAt;
    expect(detectedMs).toBeLessThan(10_000);
    expect(link.status().error).toMatch(/keepalive/);
    await expect(transport.request({ method: 'GET', path: '/health' })).rejects.toSatisfy(
      (error) => isKitError(error, 'DAEMON_UNAVAILABLE') && /link to rc1 is down/.test((error as Error).message),
    );

    await net.restore(host);
    const restoredAt = Date.now();
    await link.ready(30_000);
    const upAgainMs = Date.now() - restoredAt;
    expect(seen.map((status) => status.state)).toEqual(['down', 'up']);
    expect((await transport.request({ method: 'GET', path: '/health' })).status).toBe(200);
    expect(await link.exec(curl)).toMatchObject({ code: 0, stdout: 'hub here' });
    hub.close();
    console.info(`cut noticed after ${detectedMs} ms; up again ${upAgainMs} ms after the restore`);
  });
});

function waitForState(link: HostLink, state: LinkStatus['state'], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (link.status().state === state) return resolve();
    const timer = setTimeout(() => reject(new Error(`still ${link.status().state} after ${timeoutMs} ms`)), timeoutMs);
    const off = link.onStatus((status) => {
      if (status.state !== state) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}
