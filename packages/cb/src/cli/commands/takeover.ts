import { existsSync } from 'node:fs';
import { ProtocolError, isTerminal, type FlotillaClient, type Job } from '@flotilla/protocol';
import { ExitError } from '../errors.js';
import { spawnInteractive, type Spawner, type SpawnRequest } from '../interactive.js';
import { resolveJobId } from '../resolve-id.js';
import { printLine, type CliStreams } from '../streams.js';

export interface TakeoverOptions {
  client: FlotillaClient;
  streams: CliStreams;
  id: string;
  env: Readonly<Record<string, string | undefined>>;
  spawn?: Spawner;
}

/**
 * `cb takeover ID`: continues a finished background job in the foreground with the agent's own
 * interactive resume, in the job's worktree (or cwd).
 */
export async function takeover(options: TakeoverOptions): Promise<void> {
  const id = await resolveJobId(options.client, options.id);
  const job = await options.client.getJob(id);
  const request = takeoverCommand(job, options.env);
  if (request.cwd !== (job.worktree?.path ?? job.cwd)) {
    printLine(options.streams.stderr, `the job's worktree is gone; resuming in ${request.cwd}`);
  }
  printLine(options.streams.stderr, `$ ${[request.command, ...request.args].join(' ')}   (in ${request.cwd})`);
  let code: number;
  try {
    code = await (options.spawn ?? spawnInteractive)(request);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ProtocolError('AGENT_UNAVAILABLE', `${request.command} is not on the PATH`, { fix: 'install it, or run cb doctor' });
    }
    throw error;
  }
  if (code !== 0) throw new ExitError(code);
}

/** The interactive resume command for a job, or a ProtocolError saying why there is none. */
export function takeoverCommand(job: Job, env: Readonly<Record<string, string | undefined>>): SpawnRequest {
  const short = job.id.slice(0, 10);
  if (!isTerminal(job.status)) {
    throw new ProtocolError('CONFLICT', `job ${job.id} is still ${job.status}`, {
      fix: `watch it with: cb attach ${short}; or stop it first with: cb cancel ${short}`,
    });
  }
  const session = job.agentSessionId ?? job.attempts.findLast((a) => a.agentSessionId)?.agentSessionId ?? null;
  if (!session) {
    throw new ProtocolError('NOT_RESUMABLE', `job ${job.id} recorded no agent session to resume`, {
      fix: `start a new job instead, e.g. cb retry ${short}`,
    });
  }
  const worktree = job.worktree && !job.worktree.removed && existsSync(job.worktree.path) ? job.worktree.path : undefined;
  const cwd = worktree ?? job.cwd;
  const model = job.attempts.at(-1)?.model ?? job.model;
  switch (job.agent) {
    case 'claude':
      // Pass the model on: without it the interactive CLI falls back to its own default (Opus).
      return { command: 'claude', args: ['--resume', session, ...(model ? ['--model', model] : [])], cwd, env };
    case 'codex':
      return { command: 'codex', args: ['resume', session], cwd, env };
    default:
      throw new ProtocolError('NOT_RESUMABLE', `cb takeover knows how to resume claude and codex, not ${job.agent}`, {
        fix: `read the transcript with cb logs ${short}`,
      });
  }
}
