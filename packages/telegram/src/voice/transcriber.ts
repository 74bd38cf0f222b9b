/**
 * Speech to text through an OpenAI-compatible transcription endpoint (`POST /v1/audio/transcriptions`
 * with a multipart `file` and `model`, answering `{text}`). The key is a secret: it goes only in the
 * `Authorization` header, never in a log line or an error message.
 */
import createDebug from 'debug';
import { z } from 'zod';

const debug = createDebug('bot:voice');

/** Turns recorded audio into text. */
export interface Transcriber {
  transcribe(audio: Buffer, fileName: string): Promise<string>;
}

export interface TranscriberOptions {
  /** The full endpoint, e.g. `https://api.openai.com/v1/audio/transcriptions`. */
  url: string;
  /** Sent as `Authorization: Bearer <key>` when given. */
  apiKey?: string;
  /** Default `whisper-1`. */
  model?: string;
  /** Default 120 s: a minute of audio can take a while on a busy endpoint. */
  timeoutMs?: number;
}

export const DEFAULT_TRANSCRIPTION_MODEL = 'whisper-1';
const DEFAULT_TIMEOUT_MS = 120_000;
/** How much of an endpoint's error text is worth showing a person. */
const ERROR_DETAIL_CHARS = 300;

const TranscriptionSchema = z.object({ text: z.string() });
const OpenAIErrorSchema = z.object({ error: z.union([z.object({ message: z.string() }).loose(), z.string()]) }).loose();

/** A transcription that did not happen, in words; `code` is stable for callers. */
export class TranscriptionError extends Error {
  readonly code = 'TRANSCRIPTION_FAILED';
}

/** The endpoint as it may be shown: no user:password, no query string (either could hold a key). */
function shownUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}

async function errorDetail(response: Response): Promise<string> {
  const body = await response.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const envelope = OpenAIErrorSchema.safeParse(parsed);
  const detail = envelope.success ? (typeof envelope.data.error === 'string' ? envelope.data.error : envelope.data.error.message) : body.trim();
  return detail.slice(0, ERROR_DETAIL_CHARS);
}

/**
 * A transcriber for an OpenAI-compatible endpoint.
 *
 * @example
 * const transcriber = createTranscriber({ url: 'https://api.openai.com/v1/audio/transcriptions', apiKey: process.env.TELEGRAM_TRANSCRIBE_KEY });
 * const text = await transcriber.transcribe(oggBytes, 'voice.oga');
 */
export function createTranscriber(options: TranscriberOptions): Transcriber {
  let endpoint: URL;
  try {
    endpoint = new URL(options.url);
  } catch {
    throw new TranscriptionError('the transcription URL is not a URL: set TELEGRAM_TRANSCRIBE_URL to an http(s) address such as https://api.openai.com/v1/audio/transcriptions');
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') throw new TranscriptionError(`the transcription URL must be http or https, not ${endpoint.protocol}`);
  const where = shownUrl(endpoint);
  // fetch refuses a URL with user:password in it; such credentials go in a Basic header instead.
  const basic = endpoint.username ? Buffer.from(`${decodeURIComponent(endpoint.username)}:${decodeURIComponent(endpoint.password)}`).toString('base64') : undefined;
  const target = new URL(endpoint);
  target.username = '';
  target.password = '';
  const model = options.model ?? DEFAULT_TRANSCRIPTION_MODEL;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return {
    async transcribe(audio, fileName) {
      const form = new FormData();
      form.append('file', new Blob([audio]), fileName);
      form.append('model', model);
      const headers: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : basic ? { authorization: `Basic ${basic}` } : {};
      debug('transcribing %d bytes (%s) with %s at %s', audio.length, fileName, model, where);
      let response: Response;
      try {
        response = await fetch(target, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        const cause = error as Error & { cause?: { code?: string } };
        if (cause.name === 'TimeoutError') throw new TranscriptionError(`the transcription endpoint ${where} did not answer within ${Math.round(timeoutMs / 1000)} s`);
        // Only the error's code: its message may quote the URL, and the URL may hold a key.
        throw new TranscriptionError(`could not reach the transcription endpoint ${where}: ${cause.cause?.code ?? cause.name}`);
      }
      if (!response.ok) {
        const detail = redact(await errorDetail(response), options.apiKey);
        const hint = response.status === 401 || response.status === 403 ? ' (check TELEGRAM_TRANSCRIBE_KEY)' : '';
        throw new TranscriptionError(`the transcription endpoint ${where} answered ${response.status} ${response.statusText}${detail ? `: ${detail}` : ''}${hint}`);
      }
      const parsed = TranscriptionSchema.safeParse(await response.json().catch(() => undefined));
      if (!parsed.success) throw new TranscriptionError(`the transcription endpoint ${where} answered without a "text" field (is it OpenAI-compatible?)`);
      debug('transcribed into %d characters', parsed.data.text.length);
      return parsed.data.text.trim();
    },
  };
}
