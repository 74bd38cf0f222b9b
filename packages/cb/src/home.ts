import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** Every path under FLOTILLA_HOME, in one place. Kept dependency-free: the CLI imports it on start-up. */
export interface HomePaths {
  home: string;
  db: string;
  daemonJson: string;
  daemonLock: string;
  daemonLog: string;
  socket: string;
  token: string;
  /** Tokens of browsers that opened a `cb serve` link (0600): the dashboard survives a daemon restart. */
  browserTokens: string;
  /** The port `cb serve` last asked for: a restarted daemon listens there again. */
  serveJson: string;
  config: string;
  jobsDir: string;
  worktreesDir: string;
  /** One private directory (0700) per interactive session: generated settings, hook spool, env file. */
  sessionsDir: string;
  tmuxSocketName: string;
  jobDir(jobId: string): string;
  attemptDir(jobId: string, attempt: number): string;
  sessionDir(sessionId: string): string;
}

export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.FLOTILLA_HOME || join(homedir(), '.flotilla'));
}

export function hostName(env: NodeJS.ProcessEnv = process.env): string {
  return env.FLOTILLA_HOST_NAME || hostname();
}

/** First 12 hex of sha256(home); node:crypto is loaded only when needed (it costs the CLI's start-up ~5 ms). */
function homeHash(home: string): string {
  const { createHash } = process.getBuiltinModule('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(home).digest('hex').slice(0, 12);
}

export function homePaths(home: string): HomePaths {
  const jobsDir = join(home, 'jobs');
  const socket = join(home, 'cb.sock');
  return {
    home,
    db: join(home, 'flotilla.db'),
    daemonJson: join(home, 'daemon.json'),
    daemonLock: join(home, 'daemon.lock'),
    daemonLog: join(home, 'daemon.log'),
    // unix socket paths are limited to ~104 bytes: fall back to /tmp when the home is deep.
    socket: socket.length < 100 ? socket : join('/tmp', `flotilla-${homeHash(home)}.sock`),
    token: join(home, 'token'),
    browserTokens: join(home, 'browser-tokens.json'),
    serveJson: join(home, 'serve.json'),
    config: join(home, 'config.json'),
    jobsDir,
    worktreesDir: join(home, 'worktrees'),
    sessionsDir: join(home, 'sessions'),
    get tmuxSocketName() {
      return `flotilla-${homeHash(home)}`;
    },
    jobDir: (jobId) => join(jobsDir, jobId),
    attemptDir: (jobId, attempt) => join(jobsDir, jobId, 'attempts', String(attempt)),
    sessionDir: (sessionId) => join(home, 'sessions', sessionId),
  };
}
