import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { redact, VectorError } from './errors.js';
import { SOURCES, VECTOR_FLAG_NAMES } from './sources.js';

export { VECTOR_FLAG_NAMES };

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:6333' });
const Secret = z.string().regex(/^\S+$/, { error: 'must not contain whitespace' });

/**
 * The optional vector backend: Qdrant for the vectors, an OpenAI-compatible `POST {url}/embeddings`
 * endpoint for the embeddings. Both or neither: without them codekb searches with BM25 alone.
 */
export const VectorConfigSchema = z.object({
  qdrantUrl: HttpUrl,
  qdrantApiKey: Secret.optional(),
  /** The API base, `/embeddings` appended: `https://api.openai.com/v1`, `http://127.0.0.1:8080/v1`. */
  embeddingsUrl: HttpUrl,
  embeddingsModel: z.string().trim().min(1, { error: 'must name a model, e.g. text-embedding-3-small' }),
  embeddingsApiKey: Secret.optional(),
});
export type VectorConfig = z.infer<typeof VectorConfigSchema>;

/** The settings a command line may give; API keys come from the environment only (flags show in `ps`). */
export type VectorFlags = Partial<Pick<VectorConfig, 'qdrantUrl' | 'embeddingsUrl' | 'embeddingsModel'>>;

export type VectorConfigResult = { ok: true; value: VectorConfig | undefined } | { ok: false; issues: string[] };

/**
 * Reads the vector configuration from flags (first) and environment variables. Nothing set: `value`
 * is undefined and search stays BM25 only. Anything set: all of Qdrant URL, embeddings URL and model
 * must be valid, else `issues` says which variable or flag to fix (never echoing a key).
 *
 * @example
 * const config = resolveVectorConfig(process.env, { qdrantUrl: 'http://127.0.0.1:6333' });
 * if (!config.ok) console.error(config.issues.join('\n'));
 */
export function resolveVectorConfig(env: NodeJS.ProcessEnv, flags: VectorFlags = {}): VectorConfigResult {
  const given = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());
  const raw = {
    qdrantUrl: given(flags.qdrantUrl ?? env[SOURCES.qdrantUrl.env]),
    qdrantApiKey: given(env[SOURCES.qdrantApiKey.env]),
    embeddingsUrl: given(flags.embeddingsUrl ?? env[SOURCES.embeddingsUrl.env]),
    embeddingsModel: given(flags.embeddingsModel ?? env[SOURCES.embeddingsModel.env]),
    embeddingsApiKey: given(env[SOURCES.embeddingsApiKey.env]),
  };
  if (raw.qdrantUrl === undefined && raw.embeddingsUrl === undefined && raw.embeddingsModel === undefined) return { ok: true, value: undefined };
  const parsed = VectorConfigSchema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const secrets = [raw.qdrantApiKey, raw.embeddingsApiKey];
  const issues = parsed.error.issues.map((issue) => {
    const key = issue.path[0] as keyof VectorConfig;
    const source = SOURCES[key];
    const name = source.flag === undefined ? source.env : `${source.env} (or ${source.flag})`;
    if (raw[key] === undefined) return `${name} is required: vector search needs a Qdrant URL, an embeddings URL and a model`;
    const shown = key === 'qdrantApiKey' || key === 'embeddingsApiKey' ? '' : ` (got ${JSON.stringify(redact(raw[key], secrets))})`;
    return `${name} ${issue.message}${shown}`;
  });
  return { ok: false, issues };
}

/**
 * `resolveVectorConfig`, throwing a `VECTOR_CONFIG_INVALID` error that lists every issue.
 *
 * @example
 * const config = vectorConfigOrThrow(process.env, flags); // undefined: BM25 only
 */
export function vectorConfigOrThrow(env: NodeJS.ProcessEnv, flags: VectorFlags = {}): VectorConfig | undefined {
  const result = resolveVectorConfig(env, flags);
  if (result.ok) return result.value;
  throw new VectorError('VECTOR_CONFIG_INVALID', `invalid vector search configuration:\n  - ${result.issues.join('\n  - ')}`);
}

/**
 * The Qdrant collection of one index: the index file's name (`<repo>-<hash of root>` by default)
 * plus a hash of its full path, so two `--db` files that share a name never share a collection.
 *
 * @example
 * collectionNameFor('/home/me/.flotilla/codekb/app-1a2b3c4d.db'); // 'codekb-app-1a2b3c4d-5e6f7a8b'
 */
export function collectionNameFor(dbPath: string): string {
  const absolute = resolve(dbPath);
  const stem = basename(absolute).replace(/\.db$/, '').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80) || 'index';
  return `codekb-${stem}-${createHash('sha256').update(absolute).digest('hex').slice(0, 8)}`;
}
