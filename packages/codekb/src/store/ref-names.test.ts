import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { indexRepository, reindexFiles } from '../index/indexer.js';
import { openRepoIndex } from '../query/repo-index.js';
import { related } from '../query/related.js';
import { references } from '../query/symbols.js';
import { candidateRefNames } from './ref-names.js';
import { openIndexDatabase } from './schema.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((clean) => clean()));

function tempRepo(files: Record<string, string>): { root: string; dbPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'codekb-refs-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'repo');
  mkdirSync(root);
  for (const [path, text] of Object.entries(files)) writeFileSync(join(root, path), text);
  return { root, dbPath: join(dir, 'index.db') };
}

describe('a file’s references without an index by file', () => {
  it('should take every run a parser could call an identifier as a candidate name, escapes included', () => {
    expect(JSON.parse(candidateRefNames('a.b_c($x) + \\u0061bc; größe→x'))).toEqual(['a', 'b_c', '$x', '\\u0061bc', 'größe→x']);
  });

  it('should delete a changed file’s references, by the names of its old text or, for names its text does not show, by a scan', async () => {
    const { root, dbPath } = tempRepo({
      'lib.rs': 'fn r#type() -> u8 { 1 }\nfn main() { let value = r#type(); helper(value); }\nfn helper(_v: u8) {}\n',
      'esc.js': 'const \\u0061bc = 1;\nfunction größe(ä) { return \\u0061bc + ä + größe(1); }\n',
      'plain.ts': 'import { shared } from "./other";\nexport function caller() { return shared() + shared(); }\n',
    });
    await indexRepository({ root, dbPath });
    const refsOf = (name: string): string[] => {
      using repo = openRepoIndex({ root, dbPath });
      return references(repo, name).map((hit) => `${hit.path}:${hit.line}`);
    };
    expect(refsOf('r#type')).toEqual(['lib.rs:2']);
    expect(refsOf('helper')).toEqual(['lib.rs:2']);
    expect(refsOf('\\u0061bc')).toEqual(['esc.js:2']);
    expect(refsOf('größe')).toEqual(['esc.js:2']);
    expect(refsOf('shared')).toEqual(['plain.ts:1', 'plain.ts:2']);
    writeFileSync(join(root, 'lib.rs'), 'fn main() {}\n');
    writeFileSync(join(root, 'esc.js'), 'const other = 1;\n');
    writeFileSync(join(root, 'plain.ts'), 'export function caller() { return 1; }\n');
    await reindexFiles({ root, dbPath, paths: ['lib.rs', 'esc.js', 'plain.ts'] });
    for (const name of ['r#type', 'helper', 'value', '\\u0061bc', 'größe', 'ä', 'shared']) expect(refsOf(name), name).toEqual([]);
    using index = openIndexDatabase(dbPath, { readonly: true });
    const counted = index.sqlite.prepare('SELECT path, ref_names FROM files ORDER BY path').raw().all() as [string, number][];
    const held = index.sqlite.prepare('SELECT f.path, count(*) FROM refs r JOIN files f ON f.id = r.file_id GROUP BY f.path ORDER BY f.path').raw().all();
    expect(counted.filter(([, n]) => n !== 0)).toEqual(held);
  });

  it('should find the names a file uses for `related` from its text', async () => {
    const { root, dbPath } = tempRepo({
      'shapes.ts': 'export class Circle {}\nexport function totalArea() { return 0; }\n',
      'widget.ts': 'const c = new Circle();\nconsole.log(totalArea(), c);\n',
    });
    await indexRepository({ root, dbPath });
    using repo = openRepoIndex({ root, dbPath });
    const found = await related(repo, 'widget.ts');
    expect(found?.find((file) => file.path === 'shapes.ts')?.reasons.join('; ')).toMatch(/defines 2 symbol\(s\) used here: (Circle, totalArea|totalArea, Circle)/);
  });
});
