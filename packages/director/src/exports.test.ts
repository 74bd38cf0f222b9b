import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('.', import.meta.url).pathname;

/** Every module reachable from `entry` through relative imports, with the bare imports it makes. */
function importGraph(entry: string): { files: string[]; bare: Set<string> } {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^(?:import|export)(?!\s+type\b)[^'"]*?from\s+'([^']+)'/gm)) {
      const spec = match[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else bare.add(spec);
    }
  };
  visit(join(SRC, entry));
  return { files: [...seen], bare };
}

describe('package entries', () => {
  it('should keep the root entry free of Node-only modules', () => {
    const { bare } = importGraph('index.ts');
    expect([...bare].sort()).toEqual(['@flotilla/protocol', 'zod']);
  });

  it('should export the director from the node entry', async () => {
    const node = await import('./node.js');
    expect(Object.keys(node)).toEqual(expect.arrayContaining(['createDirector', 'openSqliteLedger', 'createSources', 'loadConfig', 'ensurePullRequest', 'runScout', 'createPipelineReporter', 'createLearningsConsolidation']));
    const root = await import('./index.js');
    expect(Object.keys(root)).toEqual(expect.arrayContaining(['DirectorConfigSchema', 'routeTicket', 'ticketBranch', 'burnsAttempt', 'createPauseGate']));
  });
});
