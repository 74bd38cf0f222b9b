import type { FlotillaClient, LogChunk, Transcript } from '@flotilla/protocol';
import { followTranscript, ringBell, streamRawLog, waitForEnd } from '../follow.js';
import { styleFor } from '../format/ansi.js';
import { formatTranscript } from '../format/transcript.js';
import { resolveJobId } from '../resolve-id.js';
import { printJson, printLine, type CliStreams } from '../streams.js';

export interface LogsOptions {
  client: FlotillaClient;
  streams: CliStreams;
  id: string;
  follow?: boolean;
  attempt?: number;
  /** The agent's raw event lines instead of the readable transcript. */
  raw?: boolean;
  json?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * `cb logs ID`: the readable transcript (tool calls, edits, commands, final answer); `-f` follows
 * it live until the job ends; `--raw` prints the raw event log by byte offset. With --json, one
 * document at the end: the Transcript, or (raw) the whole log as one LogChunk.
 */
export async function logs(options: LogsOptions): Promise<Transcript | LogChunk> {
  const { client, streams } = options;
  const id = await resolveJobId(client, options.id);
  const attempt = options.attempt !== undefined ? { attempt: options.attempt } : {};
  if (options.raw) {
    const chunk = await streamRawLog(client, id, options.json ? null : streams.stdout, { ...attempt, follow: options.follow });
    if (options.json) printJson(streams.stdout, chunk);
    if (options.follow) ringBell(streams, options.json);
    return chunk;
  }
  if (options.json) {
    if (options.follow) await waitForEnd(client, id);
    const transcript = await client.transcript(id, options.attempt);
    printJson(streams.stdout, transcript);
    return transcript;
  }
  if (options.follow) {
    await followTranscript(client, id, streams.stdout, { ...attempt, env: options.env });
    ringBell(streams, false);
    return client.transcript(id, options.attempt);
  }
  const transcript = await client.transcript(id, options.attempt);
  if (transcript.entries.length === 0) printLine(streams.stderr, `attempt ${transcript.attempt} has no transcript yet`);
  else printLine(streams.stdout, formatTranscript(transcript.entries, styleFor(streams.stdout, options.env)));
  return transcript;
}
