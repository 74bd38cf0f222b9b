/** Types of `recall.mjs` for the test that shares its measure (`src/index/ctags-recall.test.ts`). */
import type { Database } from 'better-sqlite3';

export interface LanguageRecallFigures {
  language: string;
  tags: number;
  found: number;
  recall: number;
  missedByKind: Record<string, number>;
  examples: string[];
  excluded: Record<string, number>;
}

export function isRealDeclaration(lines: readonly string[], tag: { line: number; name: string; kind: string }): boolean;

export function ctagsRecall(root: string, sqlite: Database, options?: { examples?: number }): { ctagsMs: number; files: number; languages: LanguageRecallFigures[] };
