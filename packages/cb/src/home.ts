import { createHash } from 'node:crypto';
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
  config: string;
  jobsDir: string;
  worktreesDir: string;
  tmuxSocketName: string;
  jobDir(jobId: string): string;
  attemptDir(jobId: string, attempt: number): string;
}

export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.FLOTILLA_HOME || join(homedir(), '.flotilla'));
}

export function hostName(env: NodeJS.ProcessEnv = process.env): string {
  return env.FLOTILLA_HOST_NAME || hostname();
}

export function homePaths(home: string): HomePaths {
  const hash = createHash('sha256').update(home).digest('hex').slice(0, 12);
  const jobsDir = join(home, 'jobs');
  return {
    home,
    db: join(home, 'flotilla.db'),
    daemonJson: join(home, 'daemon.json'),
    daemonLock: join(home, 'daemon.lock'),
    daemonLog: join(home, 'daemon.log'),
    // unix socket paths are limited to ~104 bytes: fall back to /tmp when the home is deep.
    socket: join(home, 'cb.sock').length < 100 ? join(home, 'cb.sock') : join('/tmp', `flotilla-${hash}.sock`),
    token: join(home, 'token'),
    config: join(home, 'config.json'),
    jobsDir,
    worktreesDir: join(home, 'worktrees'),
    tmuxSocketName: `flotilla-${hash}`,
    jobDir: (jobId) => join(jobsDir, jobId),
    attemptDir: (jobId, attempt) => join(jobsDir, jobId, 'attempts', String(attempt)),
  };
}
