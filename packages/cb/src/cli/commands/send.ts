import { isProtocolError, SESSION_KEYS, SendReceiptSchema, type FlotillaClient, type SendReceipt } from '@flotilla/protocol';
import { UsageError } from '../errors.js';
import { formatReceipt } from '../format/session.js';
import { printJson, printLine, readAll, type CliStreams } from '../streams.js';

export interface SendOptions {
  client: FlotillaClient;
  streams: CliStreams;
  name: string;
  /** The words after NAME, joined by spaces; `-` reads the text from stdin. */
  text: string[];
  key?: string;
  json?: boolean;
}

async function textOf(options: SendOptions): Promise<string> {
  const words = options.text;
  if (words.length === 1 && words[0] === '-') return (await readAll(options.streams.stdin)).replace(/\n$/, '');
  return words.join(' ');
}

/**
 * `cb send NAME "text"` delivers the text as one turn and waits for the receipt; `--key` presses
 * one allowed key. A delivery nobody confirmed is an error (exit 1) that says what to do.
 */
export async function send(options: SendOptions): Promise<SendReceipt> {
  if (options.key !== undefined && options.text.length > 0) throw new UsageError('give either text or --key, not both');
  if (options.key !== undefined && !(SESSION_KEYS as readonly string[]).includes(options.key)) {
    throw new UsageError(`--key: "${options.key}" is not an allowed key`, `use one of ${SESSION_KEYS.join(', ')}; text goes in as text: cb send ${options.name} "…"`);
  }
  const text = options.key === undefined ? await textOf(options) : '';
  if (options.key === undefined && text.trim() === '') throw new UsageError('nothing to send', `cb send ${options.name} "text" or cb send ${options.name} --key Enter`);
  const request = options.key !== undefined ? { key: options.key as (typeof SESSION_KEYS)[number] } : { text };
  try {
    const receipt = await options.client.send(options.name, request);
    if (options.json) printJson(options.streams.stdout, receipt);
    else printLine(options.streams.stdout, options.key !== undefined ? `pressed ${options.key}` : formatReceipt(receipt));
    return receipt;
  } catch (error) {
    // A failed delivery carries its receipt: print it with --json before the error is reported.
    const receipt = isProtocolError(error) && error.code === 'DELIVERY_FAILED' ? SendReceiptSchema.safeParse(error.details) : null;
    if (options.json && receipt?.success) printJson(options.streams.stdout, receipt.data);
    throw error;
  }
}
