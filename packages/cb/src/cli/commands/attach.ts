import { isProtocolError, ProtocolError, type FlotillaClient, type Session } from '@flotilla/protocol';
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

/** The session of this name, or null when there is none (then the argument is a job id). */
async function findSession(client: FlotillaClient, name: string): Promise<Session | null> {
  try {
    return await client.getSession(name);
  } catch (error) {
    if (isProtocolError(error) && (error.code === 'SESSION_NOT_FOUND' || error.code === 'NOT_FOUND' || error.code === 'VALIDATION_FAILED')) return null;
    throw error;
  }
}

/**
 * `cb attach NAME|ID`: puts the user into a session's or a job's real tmux session (detach with
 * the tmux prefix, then d). A session name wins over a job id prefix.
 */
export async function attach(options: AttachOptions): Promise<void> {
  const session = await findSession(options.client, options.id);
  if (session) {
    if (session.state !== 'exited' && !session.tmuxSession) {
      throw new ProtocolError('CONFLICT', `session ${session.name} is not in a tmux pane: there is nothing to attach to`, { fix: "use the agent's own UI (claude agents)" });
    }
    // A session in a pane of the user's own tmux server (discovered or adopted) is attached there, at its pane.
    const socket = session.tmuxSocket ?? options.tmuxSocketName;
    const target = session.tmuxSocket ? session.tmuxSession : `=${session.tmuxSession}`;
    if (session.state === 'exited' || !(options.hasSession ?? tmuxHasSession)(socket, session.tmuxSession)) {
      throw new ProtocolError('SESSION_NOT_RUNNING', `session ${session.name} has exited`, { fix: `read what happened: cb session log ${session.name}` });
    }
    return attachTo({ ...options, tmuxSocketName: socket }, session.tmuxSession, target);
  }
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
  return attachTo(options, attempt.tmuxSession);
}

async function attachTo(options: AttachOptions, tmuxSession: string, target = `=${tmuxSession}`): Promise<void> {
  printLine(options.streams.stderr, `attaching to ${tmuxSession} (detach: Ctrl-b d)`);
  // Without TMUX, attaching from inside another tmux works too (it is a different server).
  const env = { ...options.env, TMUX: undefined };
  const code = await (options.spawn ?? spawnInteractive)({
    command: 'tmux',
    args: ['-L', options.tmuxSocketName, 'attach-session', '-t', target],
    env,
  });
  if (code !== 0) throw new ExitError(code);
}
