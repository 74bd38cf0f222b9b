/** Waiting for and following a job: shared by `cb --wait/--follow`, `cb wait`, `cb logs -f`, retry and resume. */
import { isTerminal, isProtocolError, type FlotillaClient, type Job, type LogChunk, type TranscriptEntry } from '@flotilla/protocol';
import { formatDuration } from './duration.js';
import { styleFor } from './format/ansi.js';
import { describeFailure, formatCost, jobDuration } from './format/job.js';
import { formatEntry } from './format/transcript.js';
import { firstLine } from './format/table.js';
import type { CliStreams, OutputStream } from './streams.js';

/** One long-poll; the server answers earlier when the job ends. */
const WAIT_SLICE_MS = 60_000;
/** Transcript and log polling while following: fast enough to feel live, cheap for the daemon. */
const FOLLOW_POLL_MS = 500;

/** Long-polls until the job is terminal or `timeoutMs` passes; returns the job as it then is. */
export async function waitForEnd(client: FlotillaClient, id: string, timeoutMs?: number): Promise<Job> {
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    const job = await client.waitJob(id, { timeoutMs: Math.max(1, Math.min(WAIT_SLICE_MS, remaining)) });
    if (isTerminal(job.status) || Date.now() >= deadline) return job;
  }
}

export interface FollowOptions {
  /** Follow only this attempt; default: the latest, moving on to new attempts as they start. */
  attempt?: number;
  pollMs?: number;
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Prints the readable transcript as it grows until the job (or the chosen attempt) ends. An
 * entry that grows in place (a text agent's output) is continued, not repeated.
 */
export async function followTranscript(client: FlotillaClient, id: string, out: OutputStream, options: FollowOptions = {}): Promise<Job> {
  const style = styleFor(out, options.env);
  const printer = createEntryPrinter<TranscriptEntry>(out, (entry) => formatEntry(entry, style));
  let attempt = options.attempt;
  try {
    for (;;) {
      const job = await client.getJob(id);
      const latest = job.attempts.at(-1);
      attempt ??= latest?.n;
      const current = job.attempts.find((a) => a.n === attempt);
      if (current && current.status !== 'starting') {
        const transcript = await transcriptOrNull(client, id, current.n);
        if (transcript) printer.print(transcript.entries);
      }
      const attemptOver = current !== undefined && ['succeeded', 'failed', 'cancelled'].includes(current.status);
      if (options.attempt !== undefined && (attemptOver || isTerminal(job.status))) return job;
      if (options.attempt === undefined && latest && attempt !== undefined && latest.n > attempt) {
        attempt = latest.n;
        printer.reset(style.yellow(`── attempt ${latest.n} (${latest.reason}${latest.model ? `, ${latest.model}` : ''}) ──`));
        continue;
      }
      if (isTerminal(job.status)) return job;
      await client.waitJob(id, { timeoutMs: options.pollMs ?? FOLLOW_POLL_MS });
    }
  } finally {
    printer.end();
  }
}

/**
 * Prints successive snapshots of a transcript: new entries separated by blank lines, and the
 * growth of the last entry as a continuation. The newline after the last entry is held back
 * until something follows it, so that growth continues exactly where the text stopped.
 */
export function createEntryPrinter<TEntry>(out: OutputStream, format: (entry: TEntry) => string) {
  let printed = 0;
  let last = '';
  let pending = false;
  const write = (text: string) => {
    if (pending) out.write('\n\n');
    out.write(text);
    pending = true;
  };
  return {
    print(entries: readonly TEntry[]): void {
      if (printed > 0 && entries.length >= printed) {
        const current = format(entries[printed - 1] as TEntry);
        if (current !== last && current.startsWith(last)) {
          out.write(current.slice(last.length));
          last = current;
        }
      }
      for (const entry of entries.slice(printed)) {
        last = format(entry);
        write(last);
      }
      printed = Math.max(printed, entries.length);
    },
    /** Starts over (a new attempt) after printing `header`. */
    reset(header: string): void {
      write(header);
      printed = 0;
      last = '';
    },
    end(): void {
      if (pending) out.write('\n');
      pending = false;
    },
  };
}

/** Prints the raw event log from `offset` on; with `follow`, until the attempt's log is complete. */
export async function streamRawLog(
  client: FlotillaClient,
  id: string,
  out: OutputStream | null,
  options: { attempt?: number; follow?: boolean; pollMs?: number } = {},
): Promise<LogChunk> {
  let offset = 0;
  let attempt = options.attempt;
  let data = '';
  for (;;) {
    const chunk = await client.log(id, { offset, ...(attempt !== undefined ? { attempt } : {}) });
    attempt = chunk.attempt;
    if (chunk.data) {
      out?.write(chunk.data);
      data += chunk.data;
    }
    const progressed = chunk.nextOffset > offset;
    offset = chunk.nextOffset;
    if (progressed) continue;
    if (!options.follow || chunk.complete) return { attempt, offset: 0, nextOffset: offset, data, complete: chunk.complete };
    await client.waitJob(id, { timeoutMs: options.pollMs ?? FOLLOW_POLL_MS });
  }
}

/** `✔ succeeded in 1m 02s · $0.012` or `✘ failed (rate limited: …) — message`. */
export function summaryLine(job: Job, now: number): string {
  const duration = jobDuration(job, now);
  const tail = [duration === '-' ? '' : `in ${duration}`, formatCost(job.cost) === '-' ? '' : formatCost(job.cost)]
    .filter(Boolean)
    .join(' · ');
  if (job.status === 'succeeded') return `✔ ${job.id} succeeded${tail ? ` ${tail}` : ''}`;
  if (!isTerminal(job.status)) return `… ${job.id} is still ${job.status} after ${formatDuration(now - Date.parse(job.createdAt))}`;
  const why = job.failure ? ` — ${describeFailure(job.failure)}: ${firstLine(job.failure.message)}` : '';
  return `✘ ${job.id} ${job.status}${why}${tail ? ` (${tail})` : ''}`;
}

/** Rings the terminal bell: `cb --follow` and `cb logs -f` end with it. */
export function ringBell(streams: CliStreams, json: boolean | undefined): void {
  (json ? streams.stderr : streams.stdout).write('\x07');
}

async function transcriptOrNull(client: FlotillaClient, id: string, attempt: number) {
  try {
    return await client.transcript(id, attempt);
  } catch (error) {
    if (isProtocolError(error) && (error.code === 'NOT_FOUND' || error.code === 'JOB_NOT_FOUND')) return null;
    throw error;
  }
}
