import type { IndexSummary } from '../index/indexer.js';
import type { ReadResult } from '../query/read.js';
import type { SearchHit } from '../query/search.js';
import type { OutlineNode, RefHit, SymbolHit } from '../query/symbols.js';

/** `path:line  text` lines, one per hit: the citation format of every query. */
export function formatSearch(hits: SearchHit[]): string {
  return hits.map((hit) => `${hit.path}:${hit.line}  ${hit.source === 'symbol' ? `[${hit.kind}] ` : ''}${hit.text}`).join('\n');
}

export function formatDefinitions(hits: SymbolHit[]): string {
  return hits
    .map((hit) => {
      const head = `${hit.path}:${hit.line}  ${hit.kind} ${hit.container === null ? '' : `${hit.container}.`}${hit.name}\n    ${hit.signature}`;
      return hit.doc === null ? head : `${head}\n    ${hit.doc.split('\n', 1)[0]}`;
    })
    .join('\n');
}

export function formatRefs(hits: RefHit[]): string {
  return hits.map((hit) => `${hit.path}:${hit.line}  ${hit.name}${hit.enclosing === null ? '' : `  (in ${hit.enclosing})`}`).join('\n');
}

export function formatOutline(path: string, nodes: OutlineNode[], depth = 0): string {
  return nodes
    .map((node) => {
      const line = `${'  '.repeat(depth)}${node.kind} ${node.name}  ${path}:${node.line}-${node.endLine}`;
      return node.children.length === 0 ? line : `${line}\n${formatOutline(path, node.children, depth + 1)}`;
    })
    .join('\n');
}

export function formatRead(result: Extract<ReadResult, { ok: true }>): string {
  const width = String(result.end).length;
  return [`${result.path}:${result.start}-${result.end} (of ${result.totalLines})`, ...result.lines.map((l) => `${String(l.line).padStart(width)}  ${l.text}`)].join(
    '\n',
  );
}

export function formatSummary(summary: IndexSummary): string {
  const languages = Object.entries(summary.languages)
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  const lines = [
    `indexed ${summary.root}`,
    `  files      ${summary.files} (${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.removed} removed)`,
    `  symbols    ${summary.symbols} (${summary.refs} references)`,
    `  languages  ${languages || 'none'}`,
    `  time       ${(summary.durationMs / 1000).toFixed(2)} s`,
    `  index      ${(summary.dbBytes / 1024 / 1024).toFixed(1)} MB at ${summary.dbPath}`,
  ];
  if (summary.skipped.length > 0) lines.push(`  skipped    ${summary.skipped.length} (${skippedByReason(summary.skipped)})`);
  if (summary.errors.length > 0) lines.push(`  errors     ${summary.errors.length} (${summary.errors.slice(0, 3).map((e) => `${e.path}: ${e.message}`).join(', ')})`);
  return lines.join('\n');
}

/** `896 generated: dist/a.js.map, dist/b.js.map, …; 1 too-large: data/big.json` — each reason's count and first paths. */
function skippedByReason(skipped: IndexSummary['skipped']): string {
  const byReason = new Map<string, string[]>();
  for (const { path, reason } of skipped) byReason.set(reason, [...(byReason.get(reason) ?? []), path]);
  return [...byReason].map(([reason, paths]) => `${paths.length} ${reason}: ${paths.slice(0, 2).join(', ')}${paths.length > 2 ? ', …' : ''}`).join('; ');
}
