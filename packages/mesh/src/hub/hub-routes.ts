/**
 * The hub's own answers: what it is (`/api/capabilities` kind `hub`), its hosts, and the fleet's
 * inbox, pauses and repositories gathered from every reachable host.
 */
import { Hono } from 'hono';
import { PROTOCOL_VERSION, type Capabilities, type FlotillaClient } from '@flotilla/protocol';
import { z } from 'zod';
import { jsonBody, queryOf } from './board-routes-http.js';
import { mergeStats } from './fleet-stats.js';
import { hostRoutes } from './host-routes.js';
import type { Hub } from './hub.js';
import { syncRepo } from './repo-sync.js';
import { withFleetHost } from './mirror-rules.js';
import { MESH_VERSION } from '../version.js';

/** What a hub offers beyond a lone daemon; the dashboard shows its hub pages for these. */
export const HUB_FEATURES = ['hosts', 'board', 'messages', 'channel', 'profiles', 'pipeline'] as const;

const SyncRequestSchema = z.object({ repo: z.string().min(1).max(4096) });
const StatsQuerySchema = z.object({ days: z.coerce.number().positive().max(3650).default(30) });

/** How long a fan-out waits for one host before leaving it out. */
const FAN_OUT_TIMEOUT_MS = 5_000;

export function hubRoutes(hub: Hub, options: { addons: string[]; startedAt: Date; socket: string; hostsFile: string; httpUrl: () => string | null }): Hono {
  const app = new Hono();
  app.get('/capabilities', async (c) => {
    const agents = new Set<string>();
    for (const answer of await fanOut(hub, (client) => client.capabilities())) for (const agent of answer.value.agents) agents.add(agent);
    const capabilities: Capabilities = {
      kind: 'hub',
      host: hub.name,
      version: MESH_VERSION,
      protocol: PROTOCOL_VERSION,
      agents: [...agents].sort(),
      addons: options.addons,
      features: [...HUB_FEATURES],
    };
    return c.json(capabilities);
  });
  app.get('/daemon', (c) => {
    const hosts = hub.hosts();
    const sum = (pick: (host: (typeof hosts)[number]) => number) => hosts.reduce((total, host) => total + pick(host), 0);
    return c.json({
      pid: process.pid,
      version: MESH_VERSION,
      protocol: PROTOCOL_VERSION,
      host: hub.name,
      home: '',
      socket: options.socket,
      startedAt: options.startedAt.toISOString(),
      uptimeMs: Date.now() - options.startedAt.getTime(),
      httpUrl: options.httpUrl(),
      slots: sum((host) => host.slots),
      running: sum((host) => host.running),
      queued: sum((host) => host.queued),
    });
  });
  app.route('/hosts', hostRoutes(hub, options.hostsFile));
  app.get('/inbox', async (c) => c.json((await fanOut(hub, (client) => client.inbox())).flatMap((answer) => answer.value)));
  app.get('/pauses', async (c) => c.json((await fanOut(hub, (client) => client.pauses())).flatMap((answer) => answer.value)));
  app.post('/sync', async (c) => c.json(await syncRepo(hub, (await jsonBody(c, SyncRequestSchema)).repo)));
  app.get('/stats', async (c) => {
    const { days } = queryOf(c, StatsQuerySchema);
    const answers = await fanOut(hub, (client) => client.stats({ days }));
    return c.json(mergeStats(hub.name, answers.map((answer) => answer.value)));
  });
  app.get('/repos', async (c) => c.json((await fanOut(hub, (client) => client.repos())).flatMap((answer) => answer.value)));
  return app;
}

/** Asks every reachable host at once; a host that fails or is slow is left out of the answer. */
export async function fanOut<T>(hub: Hub, ask: (client: FlotillaClient) => Promise<T>): Promise<{ host: string; value: T }[]> {
  const answers = await Promise.all(
    hub.hosts().map(async ({ name }) => {
      const client = hub.connection(name)?.client();
      if (!client) return null;
      const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), FAN_OUT_TIMEOUT_MS).unref());
      const value: T | null = await Promise.race([ask(client).catch(() => null), timeout]);
      return value === null ? null : { host: name, value: withFleetHost(value, name) };
    }),
  );
  return answers.filter((answer) => answer !== null) as { host: string; value: T }[];
}
