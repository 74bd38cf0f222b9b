/**
 * The cb daemon: the single writer of the store. Started by the CLI on first use (under a lock),
 * it serves the API on a unix socket, re-adopts running attempts, and schedules queued jobs.
 * Stopping it never stops a job: attempts live in tmux and are adopted again at the next start.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import createDebug from 'debug';
import { writeFileAtomic } from '@flotilla/kit/fs';
import { readOrCreateTokenFile, serveOnSocket } from '@flotilla/kit/http';
import { createTmux } from '@flotilla/kit/tmux';
import { PROTOCOL_VERSION } from '@flotilla/protocol';
import { parseCustomAgents } from '../agents/custom-definition.js';
import { createAgentRegistry, type AgentRegistry } from '../agents/registry.js';
import { loadConfig } from '../config.js';
import { homePaths, hostName, resolveHome } from '../home.js';
import { createSessionManager } from '../sessions/manager.js';
import { startDiscovery, withDiscovery } from '../sessions/discovery/index.js';
import { notifySession } from './notifications.js';
import { createLaunchPlanner, startSessionTracker } from '../sessions/signals/index.js';
import { createSqliteStore } from '../store/sqlite-store.js';
import { VERSION } from '../version.js';
import { WebSocketServer } from 'ws';
import { createTerminalHub } from '../sessions/output/terminal-hub.js';
import { createDaemonApp, type DaemonControl } from './app.js';
import { findKnowledge } from './knowledge.js';
import { createHttpListener } from './http-listener.js';
import { createBus } from './bus.js';
import { pruneOutbox } from './gc.js';
import { killJobOrphans, ORPHAN_SWEEP_MS } from './job-orphans.js';
import { createSessionTokens, findDashboardAssets, findTelegramAddon, loadStaticSite } from '@flotilla/kit/web';
import type { DaemonContext } from './context.js';
import { recover } from './recovery.js';
import { createScheduler } from './scheduler.js';
import { createAgentAccess } from '../relay/access.js';
import { createRelay } from '../relay/relay.js';
import { announceRefusal } from '../relay/refusals.js';

const debug = createDebug('cb:daemon');

/** How often old outbox rows are pruned. */
const OUTBOX_PRUNE_INTERVAL_MS = 3600_000;

async function main(): Promise<void> {
  const paths = homePaths(resolveHome());
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  const config = loadConfig(paths.config);
  if (!config.ok) {
    process.stderr.write(`cb daemon: the config file is invalid:\n  ${config.issues.join('\n  ')}\n`);
    process.exit(1);
  }
  let agents: AgentRegistry;
  try {
    agents = createAgentRegistry(config.value.agents);
  } catch (error) {
    process.stderr.write(`cb daemon: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const host = hostName();
  const store = createSqliteStore({ path: paths.db, host });
  const token = await readOrCreateTokenFile(paths.token);
  const shared = {
    host,
    paths,
    config: config.value,
    store,
    bus: createBus(),
    tmux: createTmux({ socketName: paths.tmuxSocketName }),
    agents,
    env: process.env,
    now: () => new Date(),
    access: createAgentAccess({ store, paths, host, userToken: token, env: process.env }),
  };
  const leaseMs = Number(process.env.FLOTILLA_LEASE_MS) || undefined;
  // A queued message the hub refuses later is told to the user and its sending session (ctx exists by the time the outbox runs).
  const relay = createRelay({ store, access: shared.access, host, home: paths.home, leaseMs, onRefused: (refused) => announceRefusal(ctx, refused) });
  const custom = parseCustomAgents(config.value.agents);
  const customAgents = Object.fromEntries((custom.ok ? custom.value : []).map((d) => [d.name, { argv: d.argv }]));
  const sessionManager = createSessionManager({
    ...shared,
    planLaunch: createLaunchPlanner({ customAgents }),
    startTracker: startSessionTracker,
    notify: (session, notice) => notifySession(shared, session, notice),
  });
  // Agents the user started outside Flotilla (tmux panes, Claude's own sessions): FLOTILLA_DISCOVERY=off turns it off.
  const discovery = process.env.FLOTILLA_DISCOVERY === 'off' ? null : startDiscovery({ deps: shared, home: config.value.env.HOME ?? process.env.HOME ?? '', env: process.env });
  const ctx: DaemonContext = {
    ...shared,
    version: VERSION,
    sessions: discovery ? withDiscovery(sessionManager, discovery) : sessionManager,
    runnerPath: fileURLToPath(new URL('../runner/main.js', import.meta.url)),
    startedAt: new Date(),
    relay,
  };
  const scheduler = createScheduler(ctx);
  let stopping = false;
  const control: DaemonControl = {
    stop: () => void shutdown(),
    serve: async (port) => {
      const url = await http.serve(port);
      telegram?.ensureRunning();
      return { url, token: sessions.issue() };
    },
    httpUrl: () => http.url(),
  };
  const sessions = createSessionTokens({ file: paths.browserTokens });
  // Live terminal streams: WebSocket upgrades on both listeners go through the app (and its security checks).
  const wss = new WebSocketServer({ noServer: true });
  const terminals = createTerminalHub(ctx);
  const dashboardDir = await findDashboardAssets(import.meta.url);
  const dashboard = dashboardDir ? loadStaticSite(dashboardDir) : null;
  debug('dashboard: %s', dashboardDir ?? 'not installed');
  const knowledge = findKnowledge(paths.home);
  debug('knowledge (codekb): %s', knowledge ? 'installed' : 'not installed');
  // The Telegram bot runs while the daemon serves HTTP (`cb serve`, or a remembered port), when installed.
  const telegram = findTelegramAddon({ from: import.meta.url, home: paths.home, socket: paths.socket, env: process.env, onLine: (stream, line) => debug('telegram %s: %s', stream, line) });
  const app = createDaemonApp(ctx, scheduler, control, token, sessions, terminals, { dashboard, knowledge, telegram });
  const http = createHttpListener({ fetch: app.fetch, wss, recordPath: paths.serveJson });
  // Sessions are re-attached before the API answers, so no request sees a live session without its tracker.
  await sessionManager.recover();
  const socketServer = await serveOnSocket(app.fetch, paths.socket, { websocket: { server: wss } });
  await recover(ctx, scheduler);
  await http.resume();
  if (http.url()) telegram?.ensureRunning();
  const record = { pid: process.pid, version: VERSION, protocol: PROTOCOL_VERSION, socket: paths.socket, startedAt: ctx.startedAt.toISOString() };
  await writeFileAtomic(paths.daemonJson, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
  scheduler.wake();
  relay.start();
  const pruning = setInterval(() => void pruneOutbox(ctx), OUTBOX_PRUNE_INTERVAL_MS);
  pruning.unref();
  const orphanSweep = setInterval(() => void killJobOrphans(ctx).catch((error: unknown) => debug('orphan sweep failed: %o', error)), ORPHAN_SWEEP_MS);
  orphanSweep.unref();
  debug('daemon %d listening on %s', process.pid, paths.socket);

  async function shutdown(): Promise<void> {
    if (stopping) return;
    stopping = true;
    clearInterval(pruning);
    clearInterval(orphanSweep);
    scheduler.close();
    relay.close();
    sessionManager.close();
    await terminals.close();
    discovery?.close();
    await telegram?.stop();
    await Promise.allSettled([socketServer.close(), http.close()]);
    await store.close();
    try {
      const current = JSON.parse(readFileSync(paths.daemonJson, 'utf8')) as { pid?: number };
      if (current.pid === process.pid) rmSync(paths.daemonJson, { force: true });
    } catch {
      // already gone
    }
    process.exit(0);
  }
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void shutdown());
}

main().catch((error: unknown) => {
  process.stderr.write(`cb daemon failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
