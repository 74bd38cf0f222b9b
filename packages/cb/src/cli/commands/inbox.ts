import type { FlotillaClient, InboxItem } from '@flotilla/protocol';
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

/** `cb inbox`: finished results nobody has read yet. */
export async function inbox(options: InboxOptions): Promise<InboxItem[]> {
  const items = await options.client.inbox();
  const { stdout, stderr } = options.streams;
  if (options.json) {
    printJson(stdout, items);
    return items;
  }
  if (items.length === 0) {
    printLine(stderr, 'inbox empty: nothing unread');
    return items;
  }
  const now = (options.now ?? Date.now)();
  const style = styleFor(stdout, options.env);
  const ids = shortIds(items.map((i) => i.jobId));
  const table = renderTable(
    items,
    [
      { header: 'ID', value: (i) => ids.get(i.jobId) ?? i.jobId },
      { header: 'STATUS', value: (i) => colourStatus(i.status, style) },
      { header: 'AGENT', value: (i) => i.agent },
      { header: 'ENDED', value: (i) => (i.endedAt ? `${formatAge(i.endedAt, now)} ago` : '-'), align: 'right' },
      { header: 'RESULT', value: (i) => `${firstLine(i.title)}${i.summary ? ` — ${firstLine(i.summary)}` : ''}`, flexible: true },
    ],
    widthOf(stdout),
  );
  printLine(stdout, table);
  if (stderr.isTTY) printLine(stderr, 'read one with: cb read ID');
  return items;
}
