/**
 * `mesh attach REF`: finds where a session or job lives and runs the user's own OpenSSH client
 * there (`ssh -t HOST cb attach NAME`), so their keys, agent, config and known_hosts apply as
 * always. Detach with the tmux prefix, then d.
 */
import { spawn } from 'node:child_process';
import { isProtocolError, ProtocolError, type Session } from '@flotilla/protocol';
import { shellQuote } from '@flotilla/kit/tmux';
import type { MeshCliContext } from './context.js';
import type { FleetClient } from './fleet-client.js';
import { REMOTE_PATH_PREFIX } from '../hub/daemon-discovery.js';
import { bareAttachCommand } from '../bare/bare-scripts.js';

/** Resolves the exit code of the ssh client. */
export async function attach(client: FleetClient, ref: string, ctx: MeshCliContext): Promise<number> {
  const session = await sessionOrNull(client, ref);
  const job = session ? null : await client.getJob(ref);
  const host = session?.host ?? job!.host;
  const name = session?.name ?? ref;
  const target = (await client.hosts()).find((item) => item.name === host);
  if (!target) throw new ProtocolError('HOST_NOT_FOUND', `the hub has no host named ${host}`);
  const spec = target.spec;
  // A bare host has no cb: its tmux server is the hub's own (src/bare), attached to directly.
  const tmuxSession = session?.tmuxSession ?? job!.attempts.at(-1)?.tmuxSession ?? name;
  const remote = target.mode === 'tmux' ? bareAttachCommand(tmuxSession) : `${REMOTE_PATH_PREFIX}; exec cb attach ${shellQuote([name])}`;
  const argv = ['-t', spec, remote];
  ctx.streams.stderr.write(`attaching to ${name} on ${host} (ssh ${spec}); detach with the tmux prefix, then d\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(ctx.env.MESH_SSH ?? 'ssh', argv, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

async function sessionOrNull(client: FleetClient, ref: string): Promise<Session | null> {
  try {
    return await client.getSession(ref);
  } catch (error) {
    if (isProtocolError(error) && (error.code === 'SESSION_NOT_FOUND' || error.code === 'NOT_FOUND')) return null;
    throw error;
  }
}
