import type { Command } from 'commander';
import type { VectorBackend } from '../vector/backend.js';
import type { VectorConfig, VectorFlags } from '../vector/config.js';
import { isVectorError } from '../vector/errors.js';
import { VECTOR_FLAG_NAMES, vectorSettingsGiven } from '../vector/sources.js';
import type { VectorSyncSummary } from '../vector/sync.js';

/**
 * Adds `--qdrant-url`, `--embeddings-url` and `--embeddings-model` (each overriding its
 * `CODEKB_*` variable). API keys are read from the environment only: flags show in `ps`.
 */
export function vectorOptions(command: Command): Command {
  return command
    .option(`${VECTOR_FLAG_NAMES.qdrantUrl} <url>`, 'Qdrant for vector search (or CODEKB_QDRANT_URL; key in CODEKB_QDRANT_API_KEY)')
    .option(`${VECTOR_FLAG_NAMES.embeddingsUrl} <url>`, 'OpenAI-compatible embeddings API base, e.g. http://127.0.0.1:8080/v1 (or CODEKB_EMBEDDINGS_URL)')
    .option(`${VECTOR_FLAG_NAMES.embeddingsModel} <name>`, 'embedding model (or CODEKB_EMBEDDINGS_MODEL; key in CODEKB_EMBEDDINGS_API_KEY)');
}

/**
 * The validated vector configuration of a command, or undefined for BM25 only; throws
 * `VECTOR_CONFIG_INVALID`. The validation (zod) loads only when something is configured.
 */
export async function vectorConfigFor(flags: VectorFlags, env: NodeJS.ProcessEnv = process.env): Promise<VectorConfig | undefined> {
  const given = { qdrantUrl: flags.qdrantUrl, embeddingsUrl: flags.embeddingsUrl, embeddingsModel: flags.embeddingsModel };
  if (!vectorSettingsGiven(env, given)) return undefined;
  const { vectorConfigOrThrow } = await import('../vector/config.js');
  return vectorConfigOrThrow(env, given);
}

/** The vector backend of the index at `dbPath` when configured (its client loads only then). */
export async function vectorBackendFor(config: VectorConfig | undefined, dbPath: string): Promise<VectorBackend | undefined> {
  if (config === undefined) return undefined;
  const { createVectorBackend } = await import('../vector/backend.js');
  return createVectorBackend(config, { dbPath });
}

/** What `codekb index` reports about the vectors: the pass's summary, or why it failed. */
export type VectorIndexOutcome = ({ ok: true } & VectorSyncSummary) | { ok: false; code: string; message: string };

/** Runs the vector pass after the SQLite index; a failure is a value (the SQLite index stands). */
export async function syncAfterIndex(vectors: VectorBackend, root: string, onProgress?: (done: number, total: number) => void): Promise<VectorIndexOutcome> {
  try {
    return { ok: true, ...(await vectors.sync({ root, onProgress })) };
  } catch (error) {
    if (isVectorError(error)) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

/** The summary's `vectors` line. */
export function formatVectorOutcome(outcome: VectorIndexOutcome): string {
  if (!outcome.ok) return `  vectors    FAILED ${outcome.code}: ${outcome.message}`;
  const counts = `${outcome.embedded} files embedded (${outcome.chunks} chunks), ${outcome.unchanged} unchanged, ${outcome.removed} removed`;
  const deferred = outcome.deferred > 0 ? `, ${outcome.deferred} changed meanwhile (next run)` : '';
  return `  vectors    ${counts}${deferred} in ${(outcome.durationMs / 1000).toFixed(2)} s → ${outcome.collection} (${outcome.model})`;
}
