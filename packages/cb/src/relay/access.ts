/**
 * What an agent gets to reach the board and messages: a capability token minted when its job
 * attempt or session starts (only its SHA-256 is stored), a short instruction file outside the
 * repository, and the variables that point at both. A token stands for one attempt or one launch:
 * it is refused once the job ends, the session exits, or a newer launch replaced it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@flotilla/kit/fs';
import { shellQuote } from '@flotilla/kit/tmux';
import { ProtocolError, type Job, type Session } from '@flotilla/protocol';
import type { HomePaths } from '../home.js';
import type { JobStore } from '../store/types.js';
import { whichCommand } from '../daemon/readiness.js';
import type { AgentTokenKind, AgentTokenRecord } from './store.js';
import { BUILTIN_AGENT_NAMES } from '../agents/custom-definition.js';

/** Every job token starts with this, so the daemon tells one from its own token before any lookup. */
export const JOB_TOKEN_PREFIX = 'fjt_';
/** The sweep leaves tokens younger than this alone (their job or session may not be stored yet). */
const SWEEP_GRACE_MS = 60_000;
/** A revoked token's row is kept this long, so a late caller hears why it was refused. */
const REVOKED_KEPT_MS = 7 * 24 * 3600_000;
/** The instruction file's name, in the job's or the session's own directory. */
export const INSTRUCTIONS_FILE = 'flotilla-instructions.md';

/** A caller that presented a live job token. */
export interface AgentCaller {
  kind: AgentTokenKind;
  /** The job id or the session id. */
  ownerId: string;
  attempt: number | null;
  /** Its name on the board: the session's name or `job-<short id>`. */
  name: string;
  tokenHash: string;
}

/** What a launch adds: variables for the agent's environment and one line for its prompt. */
export interface AgentGrant {
  env: Record<string, string>;
  instructionsPath: string;
  promptLine: string;
  /** Claude permission rules that let `cb board …` and `cb msg …` run without asking. */
  allowedTools: string[];
}

export interface AgentAccess {
  /** Mints the attempt's token (revoking the job's earlier ones) and writes the instruction file. */
  grantJob(job: Job, attempt: number): Promise<AgentGrant>;
  /** Mints the session launch's token (revoking the session's earlier ones) and writes the instruction file. */
  grantSession(session: Pick<Session, 'id' | 'name'>): Promise<AgentGrant>;
  /** The caller behind a token; UNAUTHORIZED (in words) for an unknown, revoked or ended one. */
  verify(token: string): Promise<AgentCaller>;
  /** Whether the holder of this token record still runs (job attempt running, session not exited). */
  isLive(record: Pick<AgentTokenRecord, 'kind' | 'ownerId' | 'attempt'>): Promise<boolean>;
  /** Revokes the tokens whose job or session has ended, and forgets those revoked a week ago; returns how many it revoked. */
  sweep(): Promise<number>;
  /** Drops variables carrying the daemon's own token from an agent's environment. */
  scrub(env: Record<string, string>): Record<string, string>;
}

export interface AgentAccessOptions {
  store: JobStore;
  paths: HomePaths;
  host: string;
  /** The daemon's own token: never handed to an agent. */
  userToken: string;
  /** The daemon's environment (its PATH says whether `cb` can be called by name). */
  env: NodeJS.ProcessEnv;
  now?: () => Date;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** `job-` and the first 10 characters of the id, lower-cased: short, and what `cb ls` shows. */
export function jobHolderName(jobId: string): string {
  return `job-${jobId.slice(0, 10).toLowerCase()}`;
}

/** How the instruction file names `cb`: by name when it is on the PATH, else this package's bin. */
export function cbCommand(path: string | undefined): string {
  if (whichCommand('cb', path)) return 'cb';
  return shellQuote([fileURLToPath(new URL('../../bin/cb.cjs', import.meta.url))]);
}

export function createAgentAccess(options: AgentAccessOptions): AgentAccess {
  const { store, paths } = options;
  const now = options.now ?? (() => new Date());
  const cb = cbCommand(options.env.PATH);

  async function grant(kind: AgentTokenKind, ownerId: string, attempt: number | null, name: string, dir: string): Promise<AgentGrant> {
    const token = `${JOB_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const record: AgentTokenRecord = { hash: hashToken(token), kind, ownerId, attempt, name, createdAt: now().toISOString(), revokedAt: null, revokedReason: null };
    await store.insertAgentToken(record, kind === 'job' ? `replaced by attempt ${attempt ?? '?'}` : 'replaced by a new launch');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const instructionsPath = join(dir, INSTRUCTIONS_FILE);
    await writeFileAtomic(instructionsPath, instructions({ cb, name, host: options.host, kind }), { mode: 0o600 });
    const env: Record<string, string> = {
      FLOTILLA_JOB_TOKEN: token,
      FLOTILLA_INSTRUCTIONS: instructionsPath,
      FLOTILLA_HOME: paths.home,
      FLOTILLA_HOST_NAME: options.host,
    };
    if (kind === 'session') env.FLOTILLA_SESSION = name;
    const allowedTools = [`Bash(${cb} board:*)`, `Bash(${cb} msg:*)`];
    return { env, instructionsPath, allowedTools, promptLine: `(Flotilla: to take board tasks or message other agents, read ${instructionsPath}.)` };
  }

  async function isLive(record: Pick<AgentTokenRecord, 'kind' | 'ownerId' | 'attempt'>): Promise<boolean> {
    if (record.kind === 'session') {
      const session = await store.getSession(record.ownerId);
      return session !== null && session.state !== 'exited';
    }
    const job = await store.getJob(record.ownerId);
    const last = job?.attempts.at(-1);
    return job !== null && (job.status === 'starting' || job.status === 'running') && last?.n === record.attempt;
  }

  return {
    grantJob: (job, attempt) => grant('job', job.id, attempt, jobHolderName(job.id), paths.jobDir(job.id)),
    grantSession: (session) => grant('session', session.id, null, session.name, paths.sessionDir(session.id)),
    isLive,
    async verify(token) {
      const record = token.startsWith(JOB_TOKEN_PREFIX) ? await store.findAgentToken(hashToken(token)) : null;
      if (!record) throw unauthorized('this job token is not known to this daemon');
      if (record.revokedAt) throw unauthorized(`this job token was revoked (${record.revokedReason ?? 'its job ended'})`);
      if (!(await isLive(record))) {
        const why = record.kind === 'job' ? `job ${record.ownerId} attempt ${record.attempt ?? '?'} is no longer running` : `session ${record.name} has exited`;
        await store.revokeAgentTokens(record.ownerId, why);
        throw unauthorized(`this job token was revoked (${why})`);
      }
      return { kind: record.kind, ownerId: record.ownerId, attempt: record.attempt, name: record.name, tokenHash: record.hash };
    },
    async sweep() {
      let revoked = 0;
      for (const record of await store.liveAgentTokens()) {
        // A session's token is minted just before the session is stored: a young one is left alone.
        if (now().getTime() - Date.parse(record.createdAt) < SWEEP_GRACE_MS || (await isLive(record))) continue;
        revoked += await store.revokeAgentTokens(record.ownerId, record.kind === 'job' ? 'its job ended' : 'its session exited');
      }
      await store.pruneAgentTokens(new Date(now().getTime() - REVOKED_KEPT_MS).toISOString());
      return revoked;
    },
    scrub(env) {
      const token = options.userToken;
      if (token.length < 8) return env;
      return Object.fromEntries(Object.entries(env).filter(([, value]) => !value.includes(token)));
    },
  };
}

function unauthorized(message: string): ProtocolError {
  return new ProtocolError('UNAUTHORIZED', message, {
    fix: 'a job token works only while its job or session runs; outside one, use cb as yourself (no FLOTILLA_JOB_TOKEN)',
  });
}

/** The instruction file: a dozen lines, since every line costs the agent context. */
export function instructions(options: { cb: string; name: string; host: string; kind: AgentTokenKind }): string {
  const cb = options.cb;
  return [
    `# Flotilla: the shared task board and messages`,
    `You are \`${options.name}\` on host \`${options.host}\`. \`${cb}\` reaches the local Flotilla daemon; your access token is already in FLOTILLA_JOB_TOKEN.`,
    `- Take a task: \`${cb} board claim --json [--tag T]\` prints it with its \`id\` (exit 3: nothing to claim).`,
    `- Do the work, then end it with exactly one of:`,
    `  \`${cb} board done ID --note "what you did"\` · \`${cb} board fail ID --note "why"\``,
    `  \`${cb} board handoff ID --to SESSION|ROLE --note "what is left" [--branch B]\``,
    `- Your claim is kept alive while you run; done/fail/handoff find its token by themselves.`,
    `- Look: \`${cb} board ls [--status todo]\`, \`${cb} board show ID\`; add: \`${cb} board add "title" [--body …] [--tag …]\`.`,
    `- Message a session or a role: \`${cb} msg NAME|@role "text"\`; everyone: \`${cb} msg --channel "text"\`.`,
    `Board calls need the hub; if it is not connected they fail (say so and go on), while messages wait and are sent later.`,
    '',
  ].join('\n');
}

/**
 * The prompt with the grant's one line after it, for Claude and Codex. A custom agent's prompt may
 * be anything (a script for `sh -c {prompt}`), so it is left alone: FLOTILLA_INSTRUCTIONS still says where the file is.
 */
export function withPromptLine(prompt: string, grant: AgentGrant | undefined, agent: string): string {
  return grant && BUILTIN_AGENT_NAMES.includes(agent) ? `${prompt}\n\n${grant.promptLine}` : prompt;
}

/** `env` without variables that carry the daemon's own token (unchanged without access). */
export function scrubbed(access: AgentAccess | undefined, env: Record<string, string>): Record<string, string> {
  return access ? access.scrub(env) : env;
}

/**
 * Claude's argv with `cb board` and `cb msg` allowed: in accept-edits and allowlist mode `claude -p`
 * refuses every shell command it was not told to allow (the threat-matrix test saw even `printenv`
 * refused), so without these rules an agent could not reach the board at all. The rules go into
 * the existing `--allowedTools` list, or a new one before the `--` that ends the options.
 */
export function withRelayTools(agent: string, argv: string[], grant: AgentGrant | undefined): string[] {
  if (!grant || agent !== 'claude') return argv;
  const list = argv.indexOf('--allowedTools');
  if (list !== -1) return [...argv.slice(0, list + 1), ...grant.allowedTools, ...argv.slice(list + 1)];
  const end = argv.indexOf('--');
  return end === -1 ? argv : [...argv.slice(0, end), '--allowedTools', ...grant.allowedTools, ...argv.slice(end)];
}

/**
 * An interactive session's argv pointing the agent at its instruction file. Codex: its
 * `developer_instructions` config (a global `-c`, so it fits before `resume` too; checked with codex
 * 0.169 exec: the text reaches the model). Claude sessions are not changed: with
 * `--append-system-prompt` the TUI's first turn was confirmed late (the sessions-claude e2e needed a
 * second delivery attempt in 3 of 4 runs on a loaded host, none without), so they get
 * FLOTILLA_INSTRUCTIONS only.
 */
export function sessionArgvWithInstructions(agent: string, argv: string[], grant: AgentGrant | undefined): string[] {
  if (!grant || agent !== 'codex') return argv;
  return [argv[0]!, '-c', `developer_instructions=${JSON.stringify(grant.promptLine)}`, ...argv.slice(1)];
}
