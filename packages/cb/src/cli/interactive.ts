import { spawn, spawnSync } from 'node:child_process';

export interface SpawnRequest {
  command: string;
  args: string[];
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/** Runs a program in the foreground with the terminal, resolving to its exit code. */
export type Spawner = (request: SpawnRequest) => Promise<number>;

/**
 * Hands the terminal to a child (tmux attach, an agent's interactive resume) and waits for it.
 * Ctrl-C belongs to the child meanwhile, so this process ignores SIGINT until it exits.
 */
export const spawnInteractive: Spawner = (request) =>
  new Promise((resolve, reject) => {
    const ignore = () => {};
    process.on('SIGINT', ignore);
    const child = spawn(request.command, request.args, {
      stdio: 'inherit',
      cwd: request.cwd,
      env: request.env as NodeJS.ProcessEnv | undefined,
    });
    child.once('error', (error) => {
      process.off('SIGINT', ignore);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });

/** Whether this home's tmux server has the session (exact name). */
export function tmuxHasSession(socketName: string, session: string): boolean {
  // A pane id (`%3`, a session on the user's own server) is a target as it is; a name is matched exactly.
  const target = /^%\d+$/.test(session) ? session : `=${session}`;
  const result = spawnSync('tmux', ['-L', socketName, 'has-session', '-t', target], { stdio: 'ignore' });
  return result.status === 0;
}
