// A host connection over a local link that the test cuts and restores, to a real cb daemon: while
// the host is down, `/api/hosts` keeps its daemon's last known facts (marked down by `state`), and
// the daemon's socket is known only while the hub is attached to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '@flotilla/protocol';
import type { HostLink, LinkStatus } from '../link/host-link.js';
import { startLocalFleet, type LocalFleet } from '../test-support/local-fleet.test-support.js';
import { tempHubDb } from '../test-support/hub-routes.test-support.js';
import { until } from '../test-support/until.test-support.js';
import { HostConnection } from './host-connection.js';
import { openHubStore, type HubStore } from './hub-store.js';

/** The local link, with a switch: cut, it says `down`, refuses requests and is not ready until restored. */
function cuttable(link: HostLink): HostLink & { cut(): void; restore(): void } {
  let status: LinkStatus = link.status();
  const listeners = new Set<(status: LinkStatus) => void>();
  const set = (next: Partial<LinkStatus>): void => {
    status = { ...status, ...next, since: new Date().toISOString() };
    for (const listener of listeners) listener(status);
  };
  const refuseWhileDown = (): void => {
    if (status.state !== 'up') throw new ProtocolError('DAEMON_UNAVAILABLE', `the link to ${link.name} is down`);
  };
  return {
    ...link,
    status: () => ({ ...status }),
    onStatus: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ready: () => until('the link up again', async () => status.state === 'up', 60_000, 50).then(() => undefined),
    transport: (socket, options) => {
      const inner = link.transport(socket, options);
      return {
        request: async (req) => (refuseWhileDown(), inner.request(req)),
        stream: async (req) => (refuseWhileDown(), inner.stream(req)),
      };
    },
    exec: async (command, options) => (refuseWhileDown(), link.exec(command, options)),
    cut: () => set({ state: 'down', error: 'cut by the test' }),
    restore: () => set({ state: 'up', error: null }),
  };
}

let fleet: LocalFleet;
let db: ReturnType<typeof tempHubDb>;
let store: HubStore;

beforeAll(() => {
  fleet = startLocalFleet(['delta'], { slots: 3 });
  db = tempHubDb();
  store = openHubStore({ path: db.path, hubName: 'hub' });
});

afterAll(async () => {
  store?.close();
  db?.[Symbol.dispose]();
  await fleet?.close();
});

describe('HostConnection', () => {
  it('should keep the daemon facts of a host that went down, and know the daemon socket only while attached', { timeout: 120_000 }, async () => {
    const entry = fleet.entries()[0]!;
    const link = cuttable(fleet.openLink(entry));
    const connection = new HostConnection(entry, link, { store, changed: () => undefined, serveAgent: (_host, stream) => stream.destroy(), healthIntervalMs: 200 });
    try {
      const up = await until('delta attached', async () => (connection.host().mode === 'daemon' ? connection.host() : null));
      expect(up).toMatchObject({ state: 'up', slots: 3, freeSlots: 3 });
      expect(up.cbVersion).toMatch(/^\d+\.\d+\.\d+/);
      expect(connection.daemonSocket()).toMatch(new RegExp(`^${fleet.hosts[0]!.home}/.+\\.sock$`));

      link.cut();
      const down = await until('delta down and detached', async () => (connection.daemonSocket() === null && connection.host().state === 'down' ? connection.host() : null));
      expect(down).toMatchObject({ state: 'down', mode: 'daemon', cbVersion: up.cbVersion, slots: 3, freeSlots: 3, latencyMs: null, error: 'cut by the test' });
      const published = store.eventsAfter(0, 1_000).filter((event) => event.type === 'host.changed').at(-1);
      expect(published).toMatchObject({ hostInfo: { state: 'down', cbVersion: up.cbVersion, slots: 3 } });

      link.restore();
      await until('delta attached again', async () => connection.daemonSocket() !== null && connection.host().mode === 'daemon');
      expect(connection.host()).toMatchObject({ state: 'up', cbVersion: up.cbVersion, slots: 3 });
    } finally {
      await connection.stop();
    }
  });
});
