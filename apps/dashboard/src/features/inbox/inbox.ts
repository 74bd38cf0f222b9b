import type { InboxEntry, InboxItem, SessionInboxItem } from '@flotilla/protocol';

export interface InboxSections {
  /** Sessions that need you: permission questions first, then waits; longest waiting first in each. */
  waiting: SessionInboxItem[];
  /** Unread results, newest first (jobs still without an end time last). */
  results: InboxItem[];
}

/** Splits `/api/inbox` into what needs an answer and what is there to read. */
export function inboxSections(inbox: readonly InboxEntry[]): InboxSections {
  const waiting: SessionInboxItem[] = [];
  const results: InboxItem[] = [];
  for (const entry of inbox) {
    if (entry.kind === 'session') waiting.push(entry);
    else if (entry.unread) results.push(entry);
  }
  const rank = (entry: SessionInboxItem) => (entry.state === 'waiting_permission' ? 0 : 1);
  waiting.sort((a, b) => rank(a) - rank(b) || a.since.localeCompare(b.since));
  results.sort((a, b) => (b.endedAt ?? '').localeCompare(a.endedAt ?? '') || b.jobId.localeCompare(a.jobId));
  return { waiting, results };
}

/**
 * Marks every given job read, a few at a time; returns the ids that failed with their error
 * (the others succeeded). `markRead` is the client's call.
 */
export async function markAllRead(ids: readonly string[], markRead: (id: string) => Promise<unknown>, concurrency = 4): Promise<Array<{ id: string; error: unknown }>> {
  const failed: Array<{ id: string; error: unknown }> = [];
  const queue = [...ids];
  async function worker(): Promise<void> {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        await markRead(id);
      } catch (error) {
        failed.push({ id, error });
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  return failed;
}
