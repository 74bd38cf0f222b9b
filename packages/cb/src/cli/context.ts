import type { CreateJobRequest, Transport } from '@flotilla/protocol';
import { homePaths, resolveHome, type HomePaths } from '../home.js';
import { buildCreateRequest, readEnvAllowlist, type JobArgs } from './job-args.js';
import { processStreams, type CliStreams } from './streams.js';

/** Everything a command touches outside itself, injected so tests can replace it. */
export interface CliContext {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  streams: CliStreams;
  paths: HomePaths;
  /**
   * A transport to this home's daemon, started if needed. With `optimistic`, trusts `daemon.json`
   * (same version) without a health round trip: the caller must then call `connect()` again and
   * retry when the request fails with DAEMON_UNAVAILABLE (nothing listened, nothing was done).
   */
  connect(options?: { optimistic?: boolean }): Promise<Transport>;
  now(): number;
}

export function processContext(): CliContext {
  const env = process.env;
  const paths = homePaths(resolveHome(env));
  return {
    cwd: process.cwd(),
    env,
    streams: processStreams(),
    paths,
    connect: async (options) => {
      const { ensureDaemon, recordedDaemon } = await import('./daemon-client.js');
      return (options?.optimistic ? recordedDaemon({ paths, env }) : null) ?? (await ensureDaemon({ paths, env })).transport;
    },
    now: () => Date.now(),
  };
}

/** The `POST /api/jobs` body for parsed `cb "…"` flags in this context. */
export function jobRequest(args: JobArgs, ctx: CliContext): Promise<CreateJobRequest> {
  return buildCreateRequest(args, {
    cwd: ctx.cwd,
    env: ctx.env,
    stdin: ctx.streams.stdin,
    envPrefixes: readEnvAllowlist(ctx.paths.config),
  });
}
