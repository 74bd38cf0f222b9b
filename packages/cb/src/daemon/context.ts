import type { Tmux } from '@flotilla/kit/tmux';
import type { AgentRegistry } from '../agents/registry.js';
import type { Config } from '../config.js';
import type { HomePaths } from '../home.js';
import type { SessionManager } from '../sessions/manager.js';
import type { JobStore } from '../store/types.js';
import type { Bus } from './bus.js';
import type { AgentAccess } from '../relay/access.js';
import type { Relay } from '../relay/relay.js';

/** The services every part of the daemon shares; built once in main.ts, injected everywhere. */
export interface DaemonContext {
  host: string;
  version: string;
  paths: HomePaths;
  config: Config;
  store: JobStore;
  bus: Bus;
  tmux: Tmux;
  agents: AgentRegistry;
  /** Long-lived interactive sessions (their trackers live here; the agents live in tmux). */
  sessions: SessionManager;
  /** The daemon's own environment (for API jobs with no invoking shell). */
  env: NodeJS.ProcessEnv;
  /** Absolute path of the runner entry (dist/runner/main.js). */
  runnerPath: string;
  startedAt: Date;
  now(): Date;
  /** Job tokens and instruction files for agents (absent in tests that need none). */
  access?: AgentAccess;
  /** The board and messages of the mesh hub, relayed for agents (`/api/relay`). */
  relay?: Relay;
}
