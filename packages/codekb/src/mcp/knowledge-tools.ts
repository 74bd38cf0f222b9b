import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { memoryRepoKey } from '../memory/repo-key.js';
import { openMemory, remember } from '../memory/store.js';
import { recall } from '../memory/recall.js';
import { OutcomeSchema } from '../memory/model.js';
import type { MemoryStore } from '../memory/store.js';
import { repoMap } from '../query/repo-map.js';
import { related } from '../query/related.js';
import type { RepoIndexSource } from './repo-source.js';
import { answer, guarded, refuse, READ_ONLY } from './tools.js';

const RepoMapInput = { budget: z.number().int().min(64).max(32_000).optional().describe('token budget for the map (default 1024)') };
const RelatedInput = {
  path: z.string().min(1).describe('file path relative to the repository root'),
  limit: z.number().int().min(1).max(100).optional().describe('most files (default 10)'),
};
const RememberInput = {
  text: z.string().min(1).describe('the learning, in a sentence or two'),
  tags: z.array(z.string()).optional().describe('a few keywords to recall it by'),
  outcome: OutcomeSchema.optional().describe('success, failure or note'),
};
const RecallInput = {
  query: z.string().min(1).describe('what you are about to work on'),
  limit: z.number().int().min(1).max(50).optional().describe('most learnings (default 10)'),
};

/** Opens memory.db on first use: a server that never remembers never creates it. */
function lazyMemory(): { get(): MemoryStore; close(): void } {
  let store: MemoryStore | undefined;
  return {
    get: () => (store ??= openMemory()),
    close: () => store?.close(),
  };
}

/**
 * Registers `repo_map`, `related`, `remember` and `recall`. Learnings are filed under the
 * repository's key (its origin remote when there is one), so hosts sharing a repo share them.
 */
export function registerKnowledgeTools(server: McpServer, source: RepoIndexSource): { close(): void } {
  const memory = lazyMemory();
  let repoKey: string | undefined;
  const key = () => (repoKey ??= memoryRepoKey(source.root));
  server.registerTool(
    'repo_map',
    { description: 'A compact map of the most referenced files and their top symbols, within a token budget.', inputSchema: RepoMapInput, annotations: READ_ONLY },
    ({ budget }) =>
      guarded('repo_map', () => {
        const map = repoMap(source.get(), { budget });
        return answer(map.text || 'the index has no symbols yet', { files: map.files, tokens: map.tokens });
      }),
  );
  server.registerTool(
    'related',
    { description: 'Files most related to a file: imports either way, shared symbols, changed together in git.', inputSchema: RelatedInput, annotations: READ_ONLY },
    ({ path, limit }) =>
      guarded('related', async () => {
        const files = await related(source.get(), path.replace(/^(\.\/)+/, ''), { limit });
        if (files === undefined) return refuse(`not in the index: ${path}`);
        const text = files.length === 0 ? `nothing related to ${path}` : files.map((f) => `${f.path}:1  ${f.score.toFixed(2)}  ${f.reasons.join(', ')}`).join('\n');
        return answer(text, { files });
      }),
  );
  server.registerTool(
    'remember',
    { description: 'Record a learning after work (what worked, what failed, a gotcha) for later recall.', inputSchema: RememberInput },
    ({ text, tags, outcome }): Promise<CallToolResult> =>
      guarded('remember', () => {
        const learning = remember(memory.get(), { text, tags, outcome, repo: key() });
        return answer(`remembered ${learning.id}`, { learning });
      }),
  );
  server.registerTool(
    'recall',
    { description: 'Learnings relevant to a task, ranked by relevance and recency. Ask before starting work.', inputSchema: RecallInput, annotations: READ_ONLY },
    ({ query, limit }) =>
      guarded('recall', () => {
        const hits = recall(memory.get(), { query, limit, repo: key() });
        const text = hits.length === 0 ? `no learnings about ${JSON.stringify(query)}` : hits.map(recallLine).join('\n');
        return answer(text, { learnings: hits });
      }),
  );
  return memory;
}

/** One recalled learning as the agent reads it: text, tags, outcome, how often it was learned, contested. */
function recallLine(hit: { text: string; tags: string[]; outcome?: string | null; timesLearned?: number; contested?: boolean }): string {
  const tags = hit.tags.length ? `  [${hit.tags.join(', ')}]` : '';
  const outcome = hit.outcome ? `  (${hit.outcome})` : '';
  const learned = (hit.timesLearned ?? 1) > 1 ? `  (learned ${hit.timesLearned}×)` : '';
  return `- ${hit.text}${tags}${outcome}${learned}${hit.contested ? '  (contested)' : ''}`;
}
