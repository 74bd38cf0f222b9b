import type { VectorConfig, VectorFlags } from './config.js';

// Kept apart from config.ts (which validates with zod) so the CLI registers its flags, and finds
// nothing configured, without loading zod.

/** Where each setting comes from: its environment variable and, for some, its flag. */
export const SOURCES = {
  qdrantUrl: { env: 'CODEKB_QDRANT_URL', flag: '--qdrant-url' },
  qdrantApiKey: { env: 'CODEKB_QDRANT_API_KEY', flag: undefined },
  embeddingsUrl: { env: 'CODEKB_EMBEDDINGS_URL', flag: '--embeddings-url' },
  embeddingsModel: { env: 'CODEKB_EMBEDDINGS_MODEL', flag: '--embeddings-model' },
  embeddingsApiKey: { env: 'CODEKB_EMBEDDINGS_API_KEY', flag: undefined },
} as const satisfies Record<keyof VectorConfig, { env: string; flag: `--${string}` | undefined }>;

/** Every flag the CLI must offer: the type fails to compile when a flag-backed key is missing. */
export const VECTOR_FLAG_NAMES = {
  qdrantUrl: SOURCES.qdrantUrl.flag,
  embeddingsUrl: SOURCES.embeddingsUrl.flag,
  embeddingsModel: SOURCES.embeddingsModel.flag,
} as const satisfies Record<keyof Required<VectorFlags>, string>;

/**
 * Whether any setting that turns vector search on is given (a URL or the model, by flag or
 * environment, blank counting as unset): when none is, `resolveVectorConfig` answers "not
 * configured" without validating anything.
 */
export function vectorSettingsGiven(env: NodeJS.ProcessEnv, flags: VectorFlags = {}): boolean {
  const given = (value: string | undefined): boolean => value !== undefined && value.trim() !== '';
  return (
    given(flags.qdrantUrl ?? env[SOURCES.qdrantUrl.env]) ||
    given(flags.embeddingsUrl ?? env[SOURCES.embeddingsUrl.env]) ||
    given(flags.embeddingsModel ?? env[SOURCES.embeddingsModel.env])
  );
}
