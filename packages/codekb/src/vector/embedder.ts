import createDebug from 'debug';
import { z } from 'zod';
import { describeFailure, redact, VectorError } from './errors.js';

const debug = createDebug('codekb:vector');

/** Turns texts into vectors, one per text, in order. */
export interface Embedder {
  /** The model's name, as sent to the endpoint; the index re-embeds everything when it changes. */
  readonly model: string;
  embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<number[][]>;
}

export interface OpenAiEmbedderOptions {
  /** The API base; requests go to `{url}/embeddings` (`https://api.openai.com/v1`). */
  url: string;
  model: string;
  /** Sent as `Authorization: Bearer …`; never logged, never in an error. */
  apiKey?: string;
  /** Texts per request (default 64). */
  batchSize?: number;
  /** Per request (default 60 s: a batch of 64 chunks on a slow CPU server). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const DEFAULT_BATCH_SIZE = 64;
/** A batch of 64 chunks can take tens of seconds on a CPU-only embeddings server. */
const DEFAULT_TIMEOUT_MS = 60_000;
/** How much of an error body goes into a message: enough for the server's reason, no payload dumps. */
const ERROR_BODY_CHARS = 300;

/** The OpenAI `POST /v1/embeddings` response, as far as codekb reads it. */
const EmbeddingsResponseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().min(0), embedding: z.array(z.number()) })),
  model: z.string().optional(),
});

/**
 * An `Embedder` for any OpenAI-compatible embeddings endpoint (OpenAI, vLLM, llama.cpp, Ollama's
 * `/v1`, LiteLLM), over plain `fetch`, `batchSize` texts per request.
 *
 * @example
 * const embedder = createOpenAiEmbedder({ url: 'http://127.0.0.1:8080/v1', model: 'nomic-embed-text' });
 * const [vector] = await embedder.embed(['parse the config file']);
 */
export function createOpenAiEmbedder(options: OpenAiEmbedderOptions): Embedder {
  const endpoint = `${options.url.replace(/\/+$/, '')}/embeddings`;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const post = async (texts: readonly string[], signal: AbortSignal | undefined): Promise<number[][]> => {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (options.apiKey !== undefined) headers.authorization = `Bearer ${options.apiKey}`;
    let response: Response;
    try {
      response = await (options.fetch ?? fetch)(endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: options.model, input: texts, encoding_format: 'float' }),
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
    } catch (error) {
      throw new VectorError('EMBEDDINGS_UNAVAILABLE', `embeddings endpoint ${safeUrl(endpoint)} unreachable: ${describeFailure(error, [options.apiKey])}`);
    }
    return readEmbeddings(response, texts.length, endpoint, options.apiKey);
  };
  return {
    model: options.model,
    async embed(texts, embedOptions = {}) {
      const vectors: number[][] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        const batch = texts.slice(start, start + batchSize);
        debug('embedding %d texts with %s', batch.length, options.model);
        vectors.push(...(await post(batch, embedOptions.signal)));
      }
      return vectors;
    },
  };
}

async function readEmbeddings(response: Response, expected: number, endpoint: string, apiKey: string | undefined): Promise<number[][]> {
  const body = await response.text().catch(() => '');
  const where = `embeddings endpoint ${safeUrl(endpoint)}`;
  if (!response.ok) {
    // An auth failure's body may echo part of the key (OpenAI shows its last characters): leave it out.
    if (response.status === 401 || response.status === 403) {
      throw new VectorError('EMBEDDINGS_FAILED', `${where} refused the request (${response.status}): check CODEKB_EMBEDDINGS_API_KEY`);
    }
    throw new VectorError('EMBEDDINGS_FAILED', `${where} answered ${response.status}: ${redact(errorReason(body), [apiKey])}`);
  }
  let parsed;
  try {
    parsed = EmbeddingsResponseSchema.safeParse(JSON.parse(body));
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !parsed.success) throw new VectorError('EMBEDDINGS_FAILED', `${where} did not answer with an embeddings list`);
  const vectors = [...parsed.data.data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
  if (vectors.length !== expected) throw new VectorError('EMBEDDINGS_FAILED', `${where} returned ${vectors.length} embeddings for ${expected} inputs`);
  const size = vectors[0]?.length ?? 0;
  if (size === 0 || vectors.some((vector) => vector.length !== size)) throw new VectorError('EMBEDDINGS_FAILED', `${where} returned embeddings of differing or zero length`);
  return vectors;
}

/** OpenAI's `{error: {message}}`, else the start of the body. */
function errorReason(body: string): string {
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return message.slice(0, ERROR_BODY_CHARS);
  } catch {
    // not JSON: show the text itself
  }
  return body.slice(0, ERROR_BODY_CHARS) || '(empty body)';
}

/** The URL without credentials or query (a key can hide in either). */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return redact(url, []);
  }
}
