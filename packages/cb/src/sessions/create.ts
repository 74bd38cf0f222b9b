/**
 * `cb session new`: validate, store the session (reserving its name), make the worktree, write the
 * launch files, start the agent's own UI in a tmux session of a fixed size.
 */
import { existsSync, statSync } from 'node:fs';
import { monotonicFactory } from 'ulidx';
import { ProtocolError, type CreateSessionRequestSchema, type Session, type Worktree } from '@flotilla/protocol';
import type { z } from 'zod';
import { isKitError } from '@flotilla/kit/tmux';
import { buildAgentEnv } from '../daemon/env.js';
import { whichCommand } from '../daemon/readiness.js';
import { createWorktree, findRepoRoot } from '../worktree/index.js';
import type { LaunchPlan } from './contract.js';
import type { SessionDeps } from './deps.js';
import { paneCommand, SESSION_PANE, sessionTmuxName, writeLaunchFiles } from './launch.js';
import { startPaneLog } from './output/pane-log.js';
import { applyStateChange, logEntry } from './state.js';

const ulid = monotonicFactory();

export type CreateSessionInput = z.output<typeof CreateSessionRequestSchema>;

/** Refuses what cannot start, with the fix in words; returns the cwd the agent will run in. */
async function validate(deps: SessionDeps, request: CreateSessionInput): Promise<void> {
  if (request.command) {
    throw new ProtocolError('BAD_REQUEST', 'watcher sessions (a command with alert patterns) are not supported yet', { fix: 'start an agent session: cb session new NAME --agent …' });
  }
  if (!deps.agents.get(request.agent)) {
    throw new ProtocolError('AGENT_UNKNOWN', `unknown agent "${request.agent}"`, {
      fix: `use one of: ${deps.agents.names().join(', ')}, or declare it under "agents" in ${deps.paths.config}`,
    });
  }
  if (!existsSync(request.cwd) || !statSync(request.cwd).isDirectory()) {
    throw new ProtocolError('CWD_NOT_FOUND', `working directory ${request.cwd} does not exist`, { fix: 'pass --cwd with an existing directory' });
  }
  const live = await deps.store.findSession(request.name);
  if (live && live.state !== 'exited') {
    throw new ProtocolError('SESSION_NAME_TAKEN', `a live session is already called "${request.name}" (${live.state})`, {
      fix: `pick another name, or stop it first: cb session stop ${request.name}`,
    });
  }
}

async function makeWorktree(deps: SessionDeps, id: string, request: CreateSessionInput): Promise<Worktree | null> {
  if (!request.worktree) return null;
  const repoRoot = await findRepoRoot(request.cwd);
  if (!repoRoot) {
    throw new ProtocolError('NOT_A_GIT_REPO', `${request.cwd} is not inside a git repository`, { fix: 'start the session inside a git checkout, or drop --worktree' });
  }
  const created = await createWorktree({
    repoRoot,
    worktreesDir: deps.paths.worktreesDir,
    jobId: id,
    prompt: request.name,
    setupCommand: deps.config.worktreeSetup[repoRoot],
  });
  if (!created.ok) throw new ProtocolError(created.code, `could not create the worktree: ${created.message}`);
  const wt = created.value;
  return { path: wt.path, branch: wt.branch, base: wt.base, baseCommit: wt.baseCommit, repoRoot: wt.repoRoot, changedFiles: [], removed: false };
}

function newSession(deps: SessionDeps, id: string, request: CreateSessionInput, worktree: Worktree | null): Session {
  const now = deps.now().toISOString();
  return {
    id,
    name: request.name,
    host: deps.host,
    kind: 'agent',
    agent: request.agent,
    model: request.model ?? deps.config.models[request.agent] ?? null,
    cwd: worktree?.path ?? request.cwd,
    worktree,
    command: null,
    alerts: request.alerts,
    state: 'unknown',
    since: now,
    source: 'cb',
    waitingFor: null,
    tmuxSession: sessionTmuxName(id, request.name),
    pid: null,
    agentSessionId: null,
    external: false,
    restarts: 0,
    createdAt: now,
    updatedAt: now,
    endedAt: null,
  };
}

function launchEnv(deps: SessionDeps, sessionId: string, plan: LaunchPlan): Record<string, string> {
  const base = buildAgentEnv({ daemonEnv: deps.env, configEnv: deps.config.env, extraPrefixes: deps.config.envAllowlist, clientEnv: null, jobEnv: {}, flotilla: {} });
  return { ...base, ...plan.env, FLOTILLA_SESSION_ID: sessionId, FLOTILLA_HOST_NAME: deps.host };
}

/**
 * Stores the session first (the name is reserved, and a crash from here on leaves a record that
 * recovery marks exited), then starts its tmux session. A launch that fails marks it exited and
 * says why. Returns the stored session.
 */
export async function createAndLaunch(deps: SessionDeps, request: CreateSessionInput): Promise<Session> {
  await validate(deps, request);
  const id = ulid();
  const worktree = await makeWorktree(deps, id, request);
  const draft = newSession(deps, id, request, worktree);
  const dir = deps.paths.sessionDir(id);
  const plan = deps.planLaunch({ sessionId: id, agent: draft.agent, model: draft.model, cwd: draft.cwd, dir, resumeAgentSessionId: null });
  const env = launchEnv(deps, id, plan);
  const program = plan.argv[0] ?? '';
  if (!whichCommand(program, env.PATH)) {
    throw new ProtocolError('AGENT_UNAVAILABLE', `${program || 'the agent'} is not on the daemon's PATH`, { fix: `install it, or fix "agents.${draft.agent}.argv" in ${deps.paths.config}` });
  }
  const where = worktree ? `${draft.cwd} (worktree on ${worktree.branch})` : draft.cwd;
  const session = await deps.store.createSession(draft, [
    logEntry(draft, 'lifecycle', `created: ${draft.agent}${draft.model ? ` (${draft.model})` : ''} in ${where}, tmux session ${draft.tmuxSession}`),
  ]);
  deps.bus.notify();
  try {
    const envFile = await writeLaunchFiles(dir, plan, env);
    await deps.tmux.newSession({ name: session.tmuxSession, cwd: session.cwd, command: paneCommand(envFile, plan.argv), ...SESSION_PANE, remainOnExit: false });
    await fixPane(deps, session.tmuxSession, session.id);
  } catch (error) {
    const message = `could not start the session: ${(error as Error).message}`;
    await applyStateChange(deps.store, id, { state: 'exited', source: 'cb', at: deps.now().toISOString(), waitingFor: null }, message);
    deps.bus.notify();
    throw new ProtocolError('INTERNAL', message, { fix: `see cb session log ${request.name}` });
  }
  return session;
}

/**
 * The pane keeps Flotilla's size whoever attaches (`window-size manual`), and stays after the agent
 * exits (`remain-on-exit`, for this window only: the jobs' windows follow the global `off`) so its
 * last screen can still be read. Its output is piped, appended, into `<session dir>/pane.log`
 * (sessions/output/pane-log.ts): the one source of the live terminal stream and of watcher alerts.
 * An agent that already quit has no window left to set. `sessionId` defaults to the stored session
 * that owns `tmuxSession`.
 */
export async function fixPane(deps: SessionDeps, tmuxSession: string, sessionId?: string): Promise<void> {
  const gone = (error: unknown): void => {
    if (!isKitError(error, 'TMUX_SESSION_NOT_FOUND')) throw error;
  };
  for (const [option, value] of [['window-size', 'manual'], ['remain-on-exit', 'on']] as const) {
    await deps.tmux.setOption(option, value, { target: tmuxSession, scope: 'window' }).catch(gone);
  }
  const id = sessionId ?? (await deps.store.listSessions({ all: true })).find((s) => s.tmuxSession === tmuxSession)?.id;
  if (id) await startPaneLog(deps.tmux, tmuxSession, deps.paths.sessionDir(id)).catch(gone);
}
