import type { FlotillaClient, Peek } from '@flotilla/protocol';
import { formatPeek } from '../format/session.js';
import { printJson, printLine, type CliStreams } from '../streams.js';

export interface PeekOptions {
  client: FlotillaClient;
  streams: CliStreams;
  name: string;
  lines?: number;
  json?: boolean;
}

/** `cb peek NAME`: the session's current screen (the last N lines), without attaching. */
export async function peek(options: PeekOptions): Promise<Peek> {
  const result = await options.client.peek(options.name, options.lines === undefined ? {} : { lines: options.lines });
  if (options.json) printJson(options.streams.stdout, result);
  else printLine(options.streams.stdout, formatPeek(result));
  return result;
}
