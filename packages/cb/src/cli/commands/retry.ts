import type { Job } from '@flotilla/protocol';
import { resolveJobId } from '../resolve-id.js';
import { afterCreate, type AfterCreateOptions } from './run.js';

export interface RetryOptions extends AfterCreateOptions {
  id: string;
}

/** `cb retry ID`: the next attempt of the same job. */
export async function retry(options: RetryOptions): Promise<Job> {
  const job = await options.client.retryJob(await resolveJobId(options.client, options.id));
  return afterCreate(job, options);
}
