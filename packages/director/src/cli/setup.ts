/**
 * What `start` and `status` share: the config file, the state directory (the ledger and the
 * worktrees), and for `start` the server, the sources, the fleet and the director itself.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { DirectorConfig } from '../config/config-schema.js';
import { formatConfigIssue, loadConfig } from '../config/load-config.js';
import { createDirector, type Director } from '../cycle/director.js';
import type { RunJob } from '../cycle/run-job.js';
import { createFleetRunJob } from '../hub/dispatch.js';
import { createFleet, type Fleet } from '../hub/fleet.js';
import { findLocalDaemon, findServer, type FlotillaServer } from '../hub/server.js';
import { createCodekbLearnings } from '../learnings/codekb-learnings.js';
import type { Ledger } from '../ledger/ledger.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { createSources } from '../sources/create-sources.js';
import { ConfigError, type DirectorCliContext } from './context.js';

export const DEFAULT_CONFIG = 'flotilla.yaml';

export interface GlobalOptions {
  config?: string;
  /** `--hub URL` or `--server SOCKET|URL`. */
  server?: string;
  localHost?: string;
  id?: string;
}

export interface LoadedConfig {
  config: DirectorConfig;
  path: string;
  stateDir: string;
}

/** The config file (relative to the working directory), validated; every problem in words. */
export async function readConfig(ctx: DirectorCliContext, options: GlobalOptions): Promise<LoadedConfig> {
  const path = resolve(ctx.cwd, options.config ?? DEFAULT_CONFIG);
  const loaded = await loadConfig(path);
  if (!loaded.ok) {
    throw new ConfigError(`${path} cannot be used:\n${loaded.issues.map((issue) => `  ${formatConfigIssue(issue)}`).join('\n')}`, 'fix the file (see the config reference in @flotilla/director\'s README)');
  }
  return { config: loaded.config, path, stateDir: stateDirOf(ctx, loaded.config.stateDir, path) };
}

/** `stateDir` from the config (`~` expanded, relative to the file), else `$FLOTILLA_HOME/director`. */
export function stateDirOf(ctx: DirectorCliContext, configured: string | undefined, configPath: string | null): string {
  if (configured === undefined) return join(ctx.home, 'director');
  const expanded = configured === '~' || configured.startsWith('~/') ? join(ctx.env.HOME ?? homedir(), configured.slice(1)) : configured;
  if (isAbsolute(expanded)) return expanded;
  return resolve(configPath === null ? ctx.cwd : join(configPath, '..'), expanded);
}

export function ledgerPath(stateDir: string): string {
  return join(stateDir, 'ledger.db');
}

/** The director's id in the ledger: `--id`, else FLOTILLA_DIRECTOR_ID, else `director@<hostname>` (stable across restarts). */
export function directorId(ctx: DirectorCliContext, options: GlobalOptions): string {
  return options.id ?? ctx.env.FLOTILLA_DIRECTOR_ID ?? `director@${hostname()}`;
}

export interface RunningDirector {
  director: Director;
  server: FlotillaServer;
  fleet: Fleet;
  ledger: Ledger;
  notes: string[];
  /** Closes the ledgers (the director's, and the flows' when a repo runs a flow). */
  close(): Promise<void>;
}

/** Connects to the server and builds the director over it. */
export async function openDirector(ctx: DirectorCliContext, options: GlobalOptions, loaded: LoadedConfig): Promise<RunningDirector> {
  const server = await findServer({ home: ctx.home, env: ctx.env, server: options.server });
  const notes: string[] = [`dispatching through the ${server.isHub ? 'hub' : 'cb daemon'} ${server.capabilities.host} at ${server.where}`];
  const made = createSources(loaded.config, { hub: server.transport, env: { ...ctx.env } });
  if (!made.ok) throw new ConfigError(`the sources cannot start:\n${made.problems.map((p) => `  ${p}`).join('\n')}`, 'set the named environment variables');
  // The board is the hub's: a lone daemon has none, so only GitHub Issues and Linear are listed then.
  const sources = server.isHub ? made.sources : made.sources.filter((source) => source.name !== 'board');
  if (!server.isHub) notes.push('a lone cb daemon has no board: tickets come from GitHub Issues and Linear only');
  const localDaemon = server.isHub ? await findLocalDaemon(ctx.home) : null;
  const fleet = createFleet({ server, localDaemon, ...(options.localHost === undefined ? {} : { localHost: options.localHost }) });
  await mkdir(loaded.stateDir, { recursive: true, mode: 0o700 });
  const ledger = openSqliteLedger(ledgerPath(loaded.stateDir));
  const id = directorId(ctx, options);
  const closers: Array<() => Promise<void>> = [() => ledger.close()];
  let runJob: RunJob = createFleetRunJob({ fleet, pollMs: pollMsOf(ctx) });
  // A repo with `flow:` runs each batch attempt through its flow (src/flow), every step a job of the fleet.
  if (loaded.config.repos.some((repo) => repo.flow !== undefined)) {
    const { createFlowRunJob } = await import('../flow/flow-run-job.js');
    const { openFlowLedger } = await import('../flow/flow-ledger.js');
    const flows = openFlowLedger(join(loaded.stateDir, 'flows.db'));
    closers.push(() => flows.close());
    runJob = createFlowRunJob({ config: loaded.config, runJob, ledger: flows, owner: id });
    notes.push(`repos with a flow: ${loaded.config.repos.filter((r) => r.flow !== undefined).map((r) => `${r.name} (${r.flow})`).join(', ')}`);
  }
  const director = createDirector({
    config: loaded.config,
    ledger,
    sources,
    github: made.github,
    runJob,
    fleet,
    id,
    worktreesDir: join(loaded.stateDir, 'worktrees'),
    // codekb is found at run time (FLOTILLA_CODEKB_BIN, beside the director, PATH); missing = no learnings.
    learnings: createCodekbLearnings({ env: ctx.env }),
  });
  return {
    director,
    server,
    fleet,
    ledger,
    notes,
    close: async () => {
      for (const close of closers) await close();
    },
  };
}

/** FLOTILLA_DIRECTOR_POLL_MS shortens the long poll (tests); default 10 s. */
function pollMsOf(ctx: DirectorCliContext): number | undefined {
  const value = Number(ctx.env.FLOTILLA_DIRECTOR_POLL_MS);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** For `status`: the ledger when it exists (a director that never ran has none). */
export function ledgerExists(stateDir: string): boolean {
  return existsSync(ledgerPath(stateDir));
}
