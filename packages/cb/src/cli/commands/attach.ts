import { ProtocolError, type FlotillaClient } from '@flotilla/protocol';
import { ExitError } from '../errors.js';
import { spawnInteractive, tmuxHasSession, type Spawner } from '../interactive.js';
import { resolveJobId } from '../resolve-id.js';
import { printLine, type CliStreams } from '../streams.js';

export interface AttachOptions {
  client: FlotillaClient;
  streams: CliStreams;
  id: string;
  /** `paths.tmuxSocketName`: this home's own tmux server. */
  tmuxSocketName: string;
  env: Readonly<Record<string, string | undefined>>;
  spawn?: Spawner;
  hasSession?: (socketName: string, session: string) => boolean;
}

/** `cb attach ID`: puts the user into the job's real tmux session (detach with the tmux prefix, then d). */
export async function attach(options: AttachOptions): Promise<void> {
  const id = await resolveJobId(options.client, options.id);
  const job = await options.client.getJob(id);
  const short = id.slice(0, 10);
  const attempt = job.attempts.at(-1);
  if (!attempt) {
    throw new ProtocolError('CONFLICT', `job ${id} has not started yet (${job.status})`, { fix: `follow it with: cb logs -f ${short}` });
  }
  if (!(options.hasSession ?? tmuxHasSession)(options.tmuxSocketName, attempt.tmuxSession)) {
    throw new ProtocolError('NOT_FOUND', `job ${id} has ended (${job.status}): its tmux session is gone`, {
      fix: `read what it did with: cb logs ${short}; continue it interactively with: cb takeover ${short}`,
    });
  }
  printLine(options.streams.stderr, `attaching to ${attempt.tmuxSession} (detach: Ctrl-b d)`);
  // Without TMUX, attaching from inside another tmux works too (it is a different server).
  const env = { ...options.env, TMUX: undefined };
  const code = await (options.spawn ?? spawnInteractive)({
    command: 'tmux',
    args: ['-L', options.tmuxSocketName, 'attach-session', '-t', `=${attempt.tmuxSession}`],
    env,
  });
  if (code !== 0) throw new ExitError(code);
}
