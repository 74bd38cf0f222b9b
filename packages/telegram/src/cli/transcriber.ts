/**
 * The transcriber the CLI gives the bot: an OpenAI-compatible `audio/transcriptions` endpoint
 * (multipart `file` + `model`, Bearer key), answering `{ text }`. The key goes in the header only;
 * errors carry the endpoint's status and words, never the key.
 */
import { z } from 'zod';
import type { TranscriptionConfig } from '../config/config.js';
import { redact } from '../bot/errors.js';
import type { Transcriber } from '../voice/index.js';

/** Whisper-class endpoints take a few seconds for a voice note; a minute means something is wrong. */
const TRANSCRIBE_TIMEOUT_MS = 60_000;
const DEFAULT_MODEL = 'whisper-1';
const TranscriptionResponseSchema = z.object({ text: z.string() });

/** `config.url` is the full endpoint, e.g. `https://api.openai.com/v1/audio/transcriptions`. */
export function createHttpTranscriber(config: TranscriptionConfig): Transcriber {
  return {
    async transcribe(audio, fileName) {
      const form = new FormData();
      form.append('file', new Blob([audio]), fileName);
      form.append('model', config.model ?? DEFAULT_MODEL);
      const headers: Record<string, string> = config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {};
      const response = await fetch(config.url, { method: 'POST', body: form, headers, signal: AbortSignal.timeout(TRANSCRIBE_TIMEOUT_MS) });
      const body = await response.text();
      if (!response.ok) throw new Error(redact(`the transcription endpoint answered ${response.status}: ${body.slice(0, 300)}`, [config.apiKey]));
      const parsed = TranscriptionResponseSchema.safeParse(safeJson(body));
      if (!parsed.success) throw new Error('the transcription endpoint answered without a text field');
      return parsed.data.text.trim();
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
