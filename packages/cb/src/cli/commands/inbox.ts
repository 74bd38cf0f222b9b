import type { FlotillaClient, InboxEntry, InboxItem, SessionInboxItem } from '@flotilla/protocol';
import { styleFor } from '../format/ansi.js';
import { colourStatus, formatAge, shortIds } from '../format/job.js';
import { firstLine, renderTable } from '../format/table.js';
import { printJson, printLine, widthOf, type CliStreams } from '../streams.js';

export interface InboxOptions {
  client: FlotillaClient;
  streams: CliStreams;
  json?: boolean;
  now?: () => number;
  env?: Readonly<Record<string, string | undefined>>;
}

/** `cb inbox`: sessions that need you, then finished results nobody has read yet. */
export async function inbox(options: InboxOptions): Promise<InboxEntry[]> {
  const entries = await options.client.inbox();
  const { stdout, stderr } = options.streams;
  if (options.json) {
    printJson(stdout, entries);
    return entries;
  }
  if (entries.length === 0) {
    printLine(stderr, 'inbox empty: no session waits for you, nothing unread');
    return entries;
  }
  const now = (options.now ?? Date.now)();
  const style = styleFor(stdout, options.env);
  const width = widthOf(stdout);
  const sessions = entries.filter((e): e is SessionInboxItem => e.kind === 'session');
  const jobs = entries.filter((e): e is InboxItem => e.kind === 'job');
  if (sessions.length) {
    const table = renderTable(
      sessions,
      [
        { header: 'SESSION', value: (s) => s.name },
        { header: 'AGENT', value: (s) => s.agent },
        { header: 'WAITING', value: (s) => formatAge(s.since, now), align: 'right' },
        { header: 'NEEDS YOU', value: (s) => (s.state === 'waiting_permission' ? style.yellow(s.title) : s.title), flexible: true },
      ],
      width,
    );
    printLine(stdout, table);
    if (stderr.isTTY) printLine(stderr, 'answer with: cb answer NAME yes|no · talk with: cb send NAME "…" · look: cb peek NAME');
  }
  if (jobs.length) {
    if (sessions.length) printLine(stdout, '');
    const ids = shortIds(jobs.map((i) => i.jobId));
    const table = renderTable(
      jobs,
      [
        { header: 'ID', value: (i) => ids.get(i.jobId) ?? i.jobId },
        { header: 'STATUS', value: (i) => colourStatus(i.status, style) },
        { header: 'AGENT', value: (i) => i.agent },
        { header: 'ENDED', value: (i) => (i.endedAt ? `${formatAge(i.endedAt, now)} ago` : '-'), align: 'right' },
        { header: 'RESULT', value: (i) => `${firstLine(i.title)}${i.summary ? ` — ${firstLine(i.summary)}` : ''}`, flexible: true },
      ],
      width,
    );
    printLine(stdout, table);
    if (stderr.isTTY) printLine(stderr, 'read one with: cb read ID');
  }
  return entries;
}
