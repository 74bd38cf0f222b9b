/**
 * `cb session new`: validate, store the session (reserving its name), make the worktree, write the
 * launch files, start the agent's own UI in a tmux session of a fixed size.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { monotonicFactory } from 'ulidx';
import { alertPatternProblem, ProtocolError, type CreateSessionRequestSchema, type Session, type Worktree } from '@flotilla/protocol';
import type { z } from 'zod';
import { isKitError, shellQuote } from '@flotilla/kit/tmux';
import { buildAgentEnv } from '../daemon/env.js';
import { scrubbed, sessionArgvWithInstructions } from '../relay/access.js';
import { whichCommand } from '../daemon/readiness.js';
import { createWorktree, findRepoRoot } from '../worktree/index.js';
import type { LaunchPlan } from './contract.js';
import type { SessionDeps } from './deps.js';
import { paneCommand, SESSION_PANE, sessionTmuxName, writeLaunchFiles } from './launch.js';
import { startPaneLog } from './output/pane-log.js';
import { applyStateChange, logEntry } from './state.js';
import { planWatcherLaunch, WATCHER_AGENT } from './watcher/plan.js';

const ulid = monotonicFactory();

export type CreateSessionInput = z.output<typeof CreateSessionRequestSchema>;

/** Refuses what cannot start, with the fix in words. */
async function validate(deps: SessionDeps, request: CreateSessionInput): Promise<void> {
  for (const pattern of request.alerts) {
    const problem = alertPatternProblem(pattern);
    if (problem) throw new ProtocolError('BAD_REQUEST', problem, { fix: `give a JavaScript regular expression without slashes or flags, e.g. --alert 'FAIL|[Ee]rror'` });
  }
  if (!request.command && request.alerts.length > 0) {
    throw new ProtocolError('BAD_REQUEST', 'alert patterns are for watcher sessions, which run a command', {
      fix: `give the command to watch after --: cb session new ${request.name} --alert '${request.alerts[0] ?? ''}' -- COMMAND [ARGS…]`,
    });
  }
  if (!request.command && !deps.agents.get(request.agent)) {
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

/** A watcher's program must be runnable: on the PATH, or a path (relative to its cwd) to an executable. */
function checkWatcherProgram(session: Session, env: Record<string, string>): void {
  const program = session.command?.[0] ?? '';
  const path = program.includes('/') ? resolve(session.cwd, program) : program;
  if (program && whichCommand(path, env.PATH)) return;
  throw new ProtocolError('BAD_REQUEST', `the command ${JSON.stringify(program)} is not ${program.includes('/') ? 'an executable file' : "on the daemon's PATH"}`, {
    fix: `give its full path, or run it through a shell: cb session new ${session.name} --command '…'`,
  });
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
    kind: request.command ? 'watcher' : 'agent',
    agent: request.command ? WATCHER_AGENT : request.agent,
    model: request.command ? null : (request.model ?? deps.config.models[request.agent] ?? null),
    cwd: worktree?.path ?? request.cwd,
    worktree,
    command: request.command ?? null,
    alerts: request.command ? request.alerts : [],
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

/** The pane's environment; an agent session also gets its job token and instruction file (pointed at from the agent's system prompt). */
export async function launchEnv(deps: SessionDeps, session: Pick<Session, 'id' | 'name' | 'agent' | 'kind'>, plan: LaunchPlan): Promise<Record<string, string>> {
  const base = buildAgentEnv({ daemonEnv: deps.env, configEnv: deps.config.env, extraPrefixes: deps.config.envAllowlist, clientEnv: null, jobEnv: {}, flotilla: {} });
  const grant = session.kind === 'agent' ? await deps.access?.grantSession(session) : undefined;
  plan.argv = sessionArgvWithInstructions(session.agent, plan.argv, grant);
  return scrubbed(deps.access, { ...base, ...plan.env, FLOTILLA_SESSION_ID: session.id, FLOTILLA_HOST_NAME: deps.host, ...grant?.env });
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
  const launch = { sessionId: id, agent: draft.agent, model: draft.model, cwd: draft.cwd, dir, resumeAgentSessionId: null, kind: draft.kind, command: draft.command };
  const plan = draft.kind === 'watcher' ? planWatcherLaunch(launch) : deps.planLaunch(launch);
  const env = await launchEnv(deps, draft, plan);
  const program = plan.argv[0] ?? '';
  if (draft.kind === 'watcher') checkWatcherProgram(draft, env);
  else if (!whichCommand(program, env.PATH)) {
    throw new ProtocolError('AGENT_UNAVAILABLE', `${program || 'the agent'} is not on the daemon's PATH`, { fix: `install it, or fix "agents.${draft.agent}.argv" in ${deps.paths.config}` });
  }
  const where = worktree ? `${draft.cwd} (worktree on ${worktree.branch})` : draft.cwd;
  const what =
    draft.kind === 'watcher'
      ? `watcher: ${shellQuote(draft.command ?? [])}${draft.alerts.length > 0 ? ` alerting on ${draft.alerts.map((a) => `/${a}/`).join(', ')}` : ' (no alert patterns)'}`
      : `${draft.agent}${draft.model ? ` (${draft.model})` : ''}`;
  const session = await deps.store.createSession(draft, [logEntry(draft, 'lifecycle', `created: ${what} in ${where}, tmux session ${draft.tmuxSession}`)]);
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
