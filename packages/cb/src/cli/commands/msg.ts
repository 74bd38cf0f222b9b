/**
 * `cb msg SESSION|@role "text"` and `cb msg --channel "text"`: a message through the local daemon to
 * the mesh hub. When the hub is not connected the daemon keeps it (durably) and sends it later;
 * the command says why it is queued (no hub, a busy hub, or a hub slower than the daemon waits) and succeeds.
 */
import type { Message } from '@flotilla/protocol';
import { UsageError } from '../errors.js';
import type { Queued, RelayClient } from '../relay-client.js';
import { printJson, printLine, type CliStreams } from '../streams.js';

export interface MsgOptions {
  relay: RelayClient;
  streams: CliStreams;
  /** The target and the text; with `channel`, the text only. */
  words: string[];
  channel?: boolean;
  json?: boolean;
}

export async function msg(options: MsgOptions): Promise<Message | Queued> {
  const { words } = options;
  let answer: Message | Queued;
  if (options.channel) {
    if (words.length !== 1 || !words[0]?.trim()) throw new UsageError('cb msg --channel takes one text', 'cb msg --channel "the build is green again"');
    answer = await options.relay.channelPost({ text: words[0] });
  } else {
    const [to, text] = words;
    if (words.length !== 2 || !to?.trim() || !text?.trim()) {
      throw new UsageError('cb msg takes a session or @role, then the text', 'cb msg reviewer "please look at AUTH-12" (or cb msg --channel "text" for everyone)');
    }
    answer = await options.relay.message({ to, text });
  }
  const { stdout, stderr } = options.streams;
  if (options.json) printJson(stdout, answer);
  else if ('queued' in answer) printLine(stderr, queuedLine(answer));
  else printLine(stdout, `sent ${answer.id} to ${answer.to}`);
  return answer;
}

/** What happened to a message the hub did not take yet, in the daemon's own terms. */
export function queuedLine(queued: Queued): string {
  switch (queued.reason) {
    case 'hub_not_connected':
      return `the hub is not connected: queued (${queued.id}); it is sent when the hub is back`;
    case 'hub_busy':
      return `the hub could not take it now and asked to retry: queued (${queued.id}); it will be sent when the hub takes it`;
    case 'hub_slow':
      return `the hub did not answer within ${seconds(queued.waitedMs ?? 3_000)}: queued (${queued.id}); it will be sent as soon as the hub answers`;
    case undefined:
      return `the hub has not taken it yet: queued (${queued.id}); it will be sent when it does`;
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
