import type { Job } from '@flotilla/protocol';
import { UsageError } from '../errors.js';
import { resolveJobId } from '../resolve-id.js';
import { readAll } from '../streams.js';
import { afterCreate, type AfterCreateOptions } from './run.js';

export interface ResumeOptions extends AfterCreateOptions {
  id: string;
  /** The follow-up; `-` or nothing with piped stdin reads it from stdin. */
  prompt: string[];
}

/** `cb resume ID "follow-up"`: continues the agent's conversation as a new attempt. */
export async function resume(options: ResumeOptions): Promise<Job> {
  const id = await resolveJobId(options.client, options.id);
  const { stdin } = options.streams;
  const fromStdin = (options.prompt.length === 0 && !stdin.isTTY) || (options.prompt.length === 1 && options.prompt[0] === '-');
  const prompt = fromStdin ? (await readAll(stdin)).trim() : options.prompt.join(' ');
  if (prompt.trim() === '') throw new UsageError('the follow-up prompt is empty', `cb resume ${options.id} "what to do next"`);
  const job = await options.client.resumeJob(id, prompt);
  return afterCreate(job, options);
}
