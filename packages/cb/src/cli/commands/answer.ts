import { AnswerSchema, type FlotillaClient, type Session } from '@flotilla/protocol';
import { UsageError } from '../errors.js';
import { printJson, printLine, type CliStreams } from '../streams.js';

export interface AnswerOptions {
  client: FlotillaClient;
  streams: CliStreams;
  name: string;
  answer: string;
  json?: boolean;
}

/** `cb answer NAME yes|no`: answers the permission question a `waiting_permission` session asks. */
export async function answer(options: AnswerOptions): Promise<Session> {
  const parsed = AnswerSchema.safeParse(options.answer.toLowerCase());
  if (!parsed.success) throw new UsageError(`"${options.answer}" is not an answer`, `cb answer ${options.name} yes (or no)`);
  const session = await options.client.answer(options.name, parsed.data);
  if (options.json) printJson(options.streams.stdout, session);
  else printLine(options.streams.stdout, `answered ${parsed.data}${session.waitingFor ? ` to: ${session.waitingFor}` : ''}`);
  return session;
}
