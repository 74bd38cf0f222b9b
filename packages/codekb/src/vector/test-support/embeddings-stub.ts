import { z } from 'zod';
import { hashingEmbedding } from './hashing-embedding.js';
import { startJsonServer, type JsonReply, type JsonServer } from './json-server.js';

/** The OpenAI `POST /v1/embeddings` request body (token-array inputs are not supported here). */
const EmbeddingsRequestSchema = z.object({
  model: z.string(),
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().optional(),
});

export interface EmbeddingsStubOptions {
  /** Models it serves (default `['hash-embed-256']`), each with `dimensions` buckets. */
  models?: string[];
  dimensions?: number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Inputs per request it accepts (OpenAI: 2048). */
  maxInputs?: number;
}

export interface EmbeddingsStub extends JsonServer {
  /** The API base to configure: `http://127.0.0.1:<port>/v1`. */
  readonly baseUrl: string;
  /** How many texts it has embedded. */
  embedded(): number;
}

const DEFAULT_MODEL = 'hash-embed-256';

/**
 * An OpenAI-compatible embeddings server on 127.0.0.1 speaking the real wire format
 * (`POST /v1/embeddings` → `{object: 'list', data: [{object: 'embedding', index, embedding}], model,
 * usage}`, errors as `{error: {message, type, param, code}}`), embedding with feature hashing.
 *
 * @example
 * await using embeddings = await startEmbeddingsStub({ apiKey: 'sk-test' });
 * createOpenAiEmbedder({ url: embeddings.baseUrl, model: 'hash-embed-256', apiKey: 'sk-test' });
 */
export async function startEmbeddingsStub(options: EmbeddingsStubOptions = {}): Promise<EmbeddingsStub> {
  const models = options.models ?? [DEFAULT_MODEL];
  const dimensions = options.dimensions ?? 256;
  let embedded = 0;
  const server = await startJsonServer((request): JsonReply => {
    if (request.method !== 'POST' || request.url.split('?')[0] !== '/v1/embeddings') return openAiError(404, `Unknown request URL: ${request.method} ${request.url}`, 'invalid_request_error', 'unknown_url');
    if (options.apiKey !== undefined && request.headers.authorization !== `Bearer ${options.apiKey}`) {
      // Like some servers, echo what was sent: the client must never pass this body on.
      const sent = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
      return openAiError(401, `Incorrect API key provided: ${sent}.`, 'invalid_request_error', 'invalid_api_key');
    }
    const parsed = EmbeddingsRequestSchema.safeParse(request.body);
    if (!parsed.success) return openAiError(400, `Invalid request body: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`, 'invalid_request_error', null);
    const { model, input, encoding_format: format } = parsed.data;
    if (!models.includes(model)) return openAiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
    const texts = typeof input === 'string' ? [input] : input;
    if (texts.length > (options.maxInputs ?? 2048)) return openAiError(400, `Too many inputs: at most ${options.maxInputs ?? 2048} per request.`, 'invalid_request_error', null);
    embedded += texts.length;
    const tokens = texts.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
    const data = texts.map((text, index) => {
      const vector = hashingEmbedding(text, dimensions);
      return { object: 'embedding', index, embedding: format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
    });
    return { status: 200, body: { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } } };
  });
  return { ...server, baseUrl: `${server.url}/v1`, embedded: () => embedded };
}

function openAiError(status: number, message: string, type: string, code: string | null): JsonReply {
  return { status, body: { error: { message, type, param: null, code } } };
}
