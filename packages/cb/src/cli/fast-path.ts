/**
 * `cb [options] "prompt"` without commander, zod or the protocol package: parse by hand, POST,
 * print. This is what makes `cb "…"` return in a few milliseconds more than bare `node`.
 */
import type { Transport, TransportResponse } from '@flotilla/protocol';
import type { CliContext } from './context.js';
import { jobRequest } from './context.js';
import { WireError, wireErrorFrom } from './errors.js';
import type { JobArgs } from './job-args.js';
import { printJson, printLine, type CliStreams } from './streams.js';

export async function createJobFast(args: JobArgs, ctx: CliContext): Promise<{ id: string; status?: string }> {
  const request = await jobRequest(args, ctx);
  const post = async (transport: Transport) => transport.request({ method: 'POST', path: '/api/jobs', body: request });
  let res: TransportResponse;
  try {
    res = await post(await ctx.connect({ optimistic: true }));
  } catch (error) {
    // Nobody listened on the recorded socket (a stale daemon.json): start the daemon and try once more.
    if ((error as { code?: unknown }).code !== 'DAEMON_UNAVAILABLE') throw error;
    res = await post(await ctx.connect());
  }
  if (res.status >= 400) throw wireErrorFrom(res.status, res.body);
  const job = res.body as { id?: unknown; status?: unknown } | null;
  if (typeof job?.id !== 'string') {
    throw new WireError(res.status, 'INTERNAL', `unexpected response to POST /api/jobs: ${JSON.stringify(res.body)?.slice(0, 300)}`);
  }
  const created = job as { id: string; status?: string };
  printCreated(created, ctx.streams, args.json);
  return created;
}

/**
 * What `cb "…"` prints: the Job as JSON, or just its id on stdout (so `id=$(cb "…")` works) plus
 * a hint on stderr when a person is watching.
 */
export function printCreated(job: { id: string; status?: string }, streams: CliStreams, json: boolean | undefined): void {
  if (json) {
    printJson(streams.stdout, job);
    return;
  }
  printLine(streams.stdout, job.id);
  if (streams.stderr.isTTY) {
    const short = job.id.slice(0, 10);
    printLine(streams.stderr, `${job.status ?? 'queued'} · follow: cb logs -f ${short} · wait: cb wait ${short} · result: cb show ${short}`);
  }
}
