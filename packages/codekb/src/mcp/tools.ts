import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import createDebug from 'debug';
import { formatDefinitions, formatOutline, formatRead, formatRefs, formatSearch } from '../cli/format.js';
import { read } from '../query/read.js';
import { definition, noSymbolsReason, outline, references } from '../query/symbols.js';
import type { VectorBackend } from '../vector/backend.js';
import { hybridSearch } from '../vector/hybrid.js';
import { IndexUnavailableError, type RepoIndexSource } from './repo-source.js';
import {
  DefinitionInput,
  DefinitionOutput,
  OutlineInput,
  OutlineOutput,
  ReadInput,
  ReadOutput,
  ReferencesInput,
  ReferencesOutput,
  SearchInput,
  SearchOutput,
} from './schemas.js';

const debug = createDebug('codekb:mcp');

/** The tools, in the order `tools/list` returns them. */
export const TOOL_NAMES = ['search', 'definition', 'references', 'outline', 'read', 'repo_map', 'related', 'remember', 'recall'] as const;

/** Every tool only reads the local index and files. */
export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, idempotentHint: true, openWorldHint: false };
/** The library's defaults, repeated to say when a result was cut. */
const DEFAULT_LIMITS = { search: 20, definition: 20, references: 100 } as const;

export function answer(text: string, data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: data };
}

/** Each hit with its `path:line` citation first, as the model reads it in the structured result. */
function cited<T extends { path: string; line: number }>(hits: T[]): (T & { cite: string })[] {
  return hits.map((hit) => ({ cite: `${hit.path}:${hit.line}`, ...hit }));
}

export function refuse(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** Runs a tool body; any throw becomes an `isError` result, never a crash of the server. */
export async function guarded(tool: string, body: () => CallToolResult | Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof IndexUnavailableError) return refuse(error.message);
    debug('%s failed: %o', tool, error);
    return refuse(`${tool} failed: ${(error as Error).message}`);
  }
}

function hitsText<T>(hits: T[], limit: number, empty: string, format: (hits: T[]) => string): string {
  if (hits.length === 0) return empty;
  const more = hits.length >= limit ? `\n… (stopped at ${limit} hits; raise limit or narrow the query)` : '';
  return `${format(hits)}${more}`;
}

/** `./src/a.ts` → `src/a.ts`: the index stores paths as search hits cite them. */
function repoRelative(path: string): string {
  return path.replace(/^(\.\/)+/, '');
}

/**
 * Registers `search`, `definition`, `references`, `outline` and `read` on `server`, each answering
 * from `source` with `path:line` citations in the text and the same hits in `structuredContent`.
 * With `vectors`, `search` fuses BM25 with the vector backend (and says so when it had to do without).
 */
export function registerCodekbTools(server: McpServer, source: RepoIndexSource, options: { vectors?: VectorBackend } = {}): void {
  server.registerTool(
    'search',
    {
      description: `Ranked code search (symbols by name, then files by BM25 over their words, each cited by its best symbols or line${options.vectors === undefined ? '' : ', fused with vector search over code chunks'}). literal: exact substrings like rg -F. Filter by language and path glob.`,
      inputSchema: SearchInput,
      outputSchema: SearchOutput,
      annotations: READ_ONLY,
    },
    ({ query, literal, language, path, limit }) =>
      guarded('search', async () => {
        const { hits, note } = await hybridSearch(source.get(), query, { literal, language, path, limit, vectors: options.vectors });
        const text = hitsText(hits, limit ?? DEFAULT_LIMITS.search, `no hits for ${JSON.stringify(query)}`, formatSearch);
        if (note === undefined) return answer(text, { hits: cited(hits) });
        return answer(`note: ${note}\n${text}`, { hits: cited(hits), note });
      }),
  );
  server.registerTool(
    'definition',
    {
      description: 'Where a symbol is defined (Name or Container.member), best first, with signature and doc.',
      inputSchema: DefinitionInput,
      outputSchema: DefinitionOutput,
      annotations: READ_ONLY,
    },
    ({ name, limit }) =>
      guarded('definition', () => {
        const hits = definition(source.get(), name, { limit });
        return answer(hitsText(hits, limit ?? DEFAULT_LIMITS.definition, `no definition of ${name}`, formatDefinitions), { hits: cited(hits) });
      }),
  );
  server.registerTool(
    'references',
    {
      description: 'Where a name is used (declarations excluded), with the enclosing symbol of each use.',
      inputSchema: ReferencesInput,
      outputSchema: ReferencesOutput,
      annotations: READ_ONLY,
    },
    ({ name, limit }) =>
      guarded('references', () => {
        const hits = references(source.get(), name, { limit });
        return answer(hitsText(hits, limit ?? DEFAULT_LIMITS.references, `no references to ${name}`, formatRefs), { hits: cited(hits) });
      }),
  );
  server.registerTool(
    'outline',
    { description: "A file's symbols as a tree with line ranges.", inputSchema: OutlineInput, outputSchema: OutlineOutput, annotations: READ_ONLY },
    ({ path: given }) =>
      guarded('outline', () => {
        const path = repoRelative(given);
        const symbols = outline(source.get(), path);
        if (symbols === undefined) return refuse(`not in the index: ${given} (give a path relative to the repository root, as search hits cite it)`);
        if (symbols.length > 0) return answer(formatOutline(path, symbols), { path, symbols });
        const reason = noSymbolsReason(source.get(), path);
        return answer(reason === null ? `no symbols in ${path}` : `no symbols in ${path}: ${reason}`, { path, symbols });
      }),
  );
  server.registerTool(
    'read',
    {
      description: 'Numbered lines start..end (1-based, inclusive; default 200 lines) of a file inside the repository.',
      inputSchema: ReadInput,
      outputSchema: ReadOutput,
      annotations: READ_ONLY,
    },
    ({ path: given, start, end }) =>
      guarded('read', async () => {
        if (start !== undefined && end !== undefined && end < start) return refuse(`end (${end}) is before start (${start})`);
        const result = await read(source.get(), repoRelative(given), start, end);
        if (!result.ok) return refuse(`${result.code}: ${result.message}`);
        if (result.lines.length === 0 && result.totalLines > 0) return refuse(`start ${result.start} is past the end of ${result.path} (${result.totalLines} lines)`);
        const { ok: _ok, ...data } = result;
        return answer(result.totalLines === 0 ? `${result.path}:1 (empty file)` : formatRead(result), data);
      }),
  );
}
