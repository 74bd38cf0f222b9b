import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inTextSnapshot, openRepoIndex } from '../query/repo-index.js';
import { DOC_PLACE, SIGNATURE_PLACE, withSymbolText, type DocPlace, type SignaturePlace } from '../query/symbol-text.js';
import { search } from '../query/search.js';
import { openIndexDatabase } from '../store/schema.js';
import { tempFixtureRepo, type TempRepo } from '../test-support/fixture.js';
import { indexRepository } from './indexer.js';

interface Row {
  kind: string;
  name: string;
  container: string | null;
  path: string;
  line: number;
  doc: string | null;
  signature: string;
}

function symbols(root: string, dbPath: string): Row[] {
  using repo = openRepoIndex({ root, dbPath });
  return inTextSnapshot(repo, () =>
    (
      repo.sqlite
        .prepare(`SELECT s.kind, s.name, s.container, f.path, s.start_line AS line, ${DOC_PLACE}, ${SIGNATURE_PLACE} FROM symbols s JOIN files f ON f.id = s.file_id`)
        .all() as (Omit<Row, 'signature' | 'doc'> & SignaturePlace & DocPlace)[]
    ).map((row) => withSymbolText(repo, row)),
  );
}

/** Each skipped or failed file's note, by path. */
function fileNotes(dbPath: string): Record<string, string> {
  using index = openIndexDatabase(dbPath, { readonly: true });
  const rows = index.sqlite.prepare('SELECT path, note FROM files WHERE note IS NOT NULL').all() as { path: string; note: string }[];
  return Object.fromEntries(rows.map((row) => [row.path, row.note]));
}

function find(rows: Row[], name: string, container?: string): Row | undefined {
  return rows.find((row) => row.name === name && (container === undefined || row.container === container));
}

const DEFINITIONS_TS = `export class Store {
  constructor(private readonly db: string, public retries = 3, plain = 0) {}
}

export interface StoreConstructor {
  new (db: string): Store;
}

const { first, second: renamed, ...rest } = settings;
const [head] = list;
export function total(entries: [string, number][], items: number[]): void {
  for (const [key, value] of entries) {}
  for (item of items) {}
  for (const item of items) {}
}
const limits = { limit: 10 };
export { total as count };
export { total as sum, total as default } from './defs.js';
export const handler = function named() {};
export const Local = class Named {};
export class Bag {
  [Symbol.iterator]() {}
  '~validate'() {}
}
`;

const DEFINITIONS_JS = `const api = {
  get() {},
  limit: 10,
  inner: { deep: true },
  'date-time': 'format',
  shared,
};
register({ argument: 1 });
function Widget() {}
Widget.prototype.render = function () {};
Widget.create = () => new Widget();
exports.helper = function () {};
exports.options = { verbose: false };
let later;
later = function () {};
this.method = () => {};
const { unpacked } = require('x');
for (const each of [1]) {}
`;

const DEFINITIONS_PY = `READ, WRITE = 1, 2
class Number:
    __add__, __radd__ = make_operators()
def sort_all(items):
    key = lambda item: item[0]
    local, other = 1, 2
    return sorted(items, key=key)
`;

const DEFINITIONS_GO = `package sample

type Node struct {
	x, y int
	*bytes.Buffer
	io.Reader
}
var i, j int
const A, B = 1, 2
`;

const DEFINITIONS_RS = `impl<'a> Shape for &'a mut Point {}
impl Shape for proc_macro2::TokenStream {}
impl Shape for [Span; 3] {}
trait Visitor { type Output; }
`;

describe('indexRepository', () => {
  it('should read signatures and docs back from the text store: after non-ASCII text, trimmed, a long line cut, a heading', async () => {
    using repo = tempFixtureRepo();
    const long = `export const table = [${Array.from({ length: 120 }, (_, i) => `'größe${i}'`).join(', ')}];`;
    writeFileSync(join(repo.root, 'src', 'intl.ts'), `// 😀 ünïcödé\r\n/** Die Größe — 大小. */\r\nexport function größe(ä: string): string {\r\n  return ä;\r\n}\r\n${long}\n`);
    writeFileSync(join(repo.root, 'src', 'intl.py'), 'def größe():\n    r\'\'\'Größe 😀 of a thing.\n\n    More.\'\'\'\n');
    writeFileSync(join(repo.root, 'docs', 'größen.md'), '# Größen 😀  \n\nText.\n');
    await indexRepository({ root: repo.root, dbPath: repo.dbPath });
    const rows = symbols(repo.root, repo.dbPath);
    expect(rows.find((row) => row.path === 'src/intl.ts' && row.name === 'größe')).toMatchObject({ line: 3, signature: 'export function größe(ä: string): string {', doc: '😀 ünïcödé\nDie Größe — 大小.' });
    expect(rows.find((row) => row.path === 'src/intl.py')).toMatchObject({ signature: 'def größe():', doc: 'Größe 😀 of a thing.\n\n    More.' });
    const table = find(rows, 'table')!;
    expect(table.signature).toBe(`${long.slice(0, 200)}…`);
    expect(find(rows, 'Größen 😀')).toMatchObject({ kind: 'section', signature: '# Größen 😀' });
  });

  it('should index every language of the fixture with kinds, containers, docs and lines', async () => {
    using repo = tempFixtureRepo();
    const summary = await indexRepository({ root: repo.root, dbPath: repo.dbPath });
    expect(summary.errors).toEqual([]);
    expect(summary.languages).toMatchObject({ typescript: 1, tsx: 1, javascript: 1, python: 1, go: 1, rust: 1, text: 2 });
    expect(summary.skipped.map((s) => `${s.path}:${s.reason}`).sort()).toEqual([
      'docs/blob.bin:binary',
      'docs/huge.txt:too-large',
      'pnpm-lock.yaml:generated',
      'src/shapes_pb.ts:generated',
      'web/app.js.map:generated',
      'web/app.min.js:generated',
      'web/bundle.js:generated',
    ]);
    expect(fileNotes(repo.dbPath)).toMatchObject({
      'pnpm-lock.yaml': 'generated: lock file',
      'src/shapes_pb.ts': 'generated: marked "// Code generated by protoc-gen-ts. DO NOT EDIT."',
      'web/app.js.map': 'generated: source map',
      'web/app.min.js': 'generated: minified',
      'web/bundle.js': 'generated: minified (6000 characters a line)',
    });
    const rows = symbols(repo.root, repo.dbPath);
    expect(rows.some((row) => row.path.startsWith('build/') || row.name === 'ignoredFunction')).toBe(false);
    expect(find(rows, 'Circle')).toMatchObject({ kind: 'class', path: 'src/shapes.ts', line: 15, doc: 'A circle of a given radius.' });
    expect(find(rows, 'area', 'Circle')).toMatchObject({ kind: 'method', line: 20, signature: 'area(): number {', doc: 'The area, pi r squared.' });
    expect(find(rows, 'addArea')).toMatchObject({ kind: 'function', container: 'totalArea', line: 32 });
    expect(find(rows, 'makeUnitCircle')).toMatchObject({ kind: 'function', signature: 'export const makeUnitCircle = (): Circle => new Circle(1);' });
    expect(find(rows, 'Green', 'Color')).toMatchObject({ kind: 'enum_member' });
    expect(find(rows, 'AreaWidget')).toMatchObject({ path: 'src/widget.tsx', doc: 'Renders the total area of some unit circles.' });
    expect(find(rows, 'increment', 'Counter')).toMatchObject({ kind: 'method', path: 'src/util.js' });
    expect(find(rows, 'health', 'Application')).toMatchObject({ kind: 'method', line: 27, doc: 'Reports that the application is alive.' });
    expect(find(rows, 'wrapper', 'decorator')).toMatchObject({ kind: 'function', line: 11 });
    expect(find(rows, 'DEFAULT_PORT')).toMatchObject({ kind: 'variable', path: 'py/app.py', line: 4 });
    expect(find(rows, 'Start', 'Server')).toMatchObject({ kind: 'method', path: 'go/server.go', doc: 'Start starts listening.' });
    expect(find(rows, 'Handle', 'Server')).toMatchObject({ kind: 'method', line: 30 });
    expect(find(rows, 'Server')).toMatchObject({ kind: 'struct' });
    expect(find(rows, 'distance', 'Point')).toMatchObject({ kind: 'method', path: 'rust/lib.rs' });
    expect(find(rows, 'norm', 'Norm')).toMatchObject({ kind: 'method' });
    expect(find(rows, 'square')).toMatchObject({ kind: 'macro' });
  });

  it('should record the definitions ctags reports beyond declarations: members, bindings, aliases, assignments', async () => {
    using repo = tempFixtureRepo();
    writeFileSync(join(repo.root, 'src', 'defs.ts'), DEFINITIONS_TS);
    writeFileSync(join(repo.root, 'src', 'defs.js'), DEFINITIONS_JS);
    writeFileSync(join(repo.root, 'py', 'defs.py'), DEFINITIONS_PY);
    writeFileSync(join(repo.root, 'go', 'defs.go'), DEFINITIONS_GO);
    writeFileSync(join(repo.root, 'rust', 'defs.rs'), DEFINITIONS_RS);
    await indexRepository({ root: repo.root, dbPath: repo.dbPath });
    const rows = symbols(repo.root, repo.dbPath);
    const at = (path: string, name: string): string[] =>
      rows.filter((row) => row.path === path && row.name === name).map((row) => `${row.kind} ${row.name}${row.container === null ? '' : ` in ${row.container}`} :${row.line}`);
    // TypeScript: parameter properties (also in the fixture), construct signatures, destructured
    // names and loop variables, renamed exports, named function and class expressions, computed
    // and quoted method names, string-keyed members.
    expect(at('src/shapes.ts', 'radius')).toEqual(['property radius in Circle :17']);
    expect(['db', 'retries', 'plain', 'new'].flatMap((name) => at('src/defs.ts', name))).toEqual(['property db in Store :2', 'property retries in Store :2', 'method new in StoreConstructor :6']);
    expect(['first', 'renamed', 'rest', 'head', 'key', 'value', 'item', 'from'].flatMap((name) => at('src/defs.ts', name))).toEqual([
      'variable first :9',
      'variable renamed :9',
      'variable rest :9',
      'variable head :10',
      'variable key in total :12',
      'variable value in total :12',
      'variable item in total :14',
    ]);
    expect(['count', 'sum', 'default'].flatMap((name) => at('src/defs.ts', name))).toEqual(['alias count :17', 'alias sum :18']);
    expect(['named', 'Named', '[Symbol.iterator]', '~validate'].flatMap((name) => at('src/defs.ts', name))).toEqual([
      'function named in handler :19',
      'class Named in Local :20',
      'method [Symbol.iterator] in Bag :22',
      'method ~validate in Bag :23',
    ]);
    // TypeScript object literals declare no members (ctags reports none there).
    expect(at('src/defs.ts', 'limit')).toEqual([]);
    // JavaScript: members of declared object literals (nested, quoted, shorthand, methods), not of
    // objects passed as arguments; functions and methods defined by assignment.
    expect(['get', 'limit', 'inner', 'deep', 'date-time', 'shared', 'argument'].flatMap((name) => at('src/defs.js', name))).toEqual([
      'method get in api :2',
      'property limit in api :3',
      'property inner in api :4',
      'property deep in inner :4',
      'property date-time in api :5',
      'property shared in api :6',
    ]);
    expect(['Widget', 'render', 'create', 'helper', 'options', 'later', 'method'].flatMap((name) => at('src/defs.js', name))).toEqual([
      'function Widget :9',
      'method render in Widget :10',
      'function create in Widget :11',
      'function helper in exports :12',
      'property options in exports :13',
      'variable later :14',
      'function later :15',
      'method method :16',
    ]);
    // JavaScript destructuring and loop variables are not ctags definitions.
    expect(['unpacked', 'each'].flatMap((name) => at('src/defs.js', name))).toEqual([]);
    // Python: tuple assignments at module and class level, lambdas in functions.
    expect(['READ', 'WRITE', '__add__', '__radd__', 'inner', 'key', 'local'].flatMap((name) => at('py/defs.py', name))).toEqual([
      'variable READ :1',
      'variable WRITE :1',
      'variable __add__ in Number :3',
      'variable __radd__ in Number :3',
      'function key in sort_all :5',
    ]);
    // Go: every name of a spec, embedded fields by their type's name.
    expect(['x', 'y', 'Buffer', 'Reader', 'i', 'j', 'A', 'B'].flatMap((name) => at('go/defs.go', name))).toEqual([
      'field x in Node :4',
      'field y in Node :4',
      'field Buffer in Node :5',
      'field Reader in Node :6',
      'variable i :8',
      'variable j :8',
      'constant A :9',
      'constant B :9',
    ]);
    // Rust: impls named by the type under references and paths, associated types.
    expect(['Point', 'TokenStream', 'Span', 'Output'].flatMap((name) => at('rust/defs.rs', name))).toEqual([
      'impl Point in Shape :1',
      'impl TokenStream in Shape :2',
      'impl Span in Shape :3',
      'type Output in Visitor :4',
    ]);
  });

  it('should re-read only changed files and drop deleted ones', async () => {
    using repo = tempFixtureRepo();
    const first = await indexRepository({ root: repo.root, dbPath: repo.dbPath });
    const again = await indexRepository({ root: repo.root, dbPath: repo.dbPath });
    expect({ updated: again.updated, unchanged: again.unchanged, symbols: again.symbols }).toEqual({ updated: 0, unchanged: first.files, symbols: first.symbols });
    writeFileSync(join(repo.root, 'src', 'util.js'), 'export function freshName() {}\n');
    rmSync(join(repo.root, 'go', 'server.go'));
    const third = await indexRepository({ root: repo.root, dbPath: repo.dbPath });
    expect({ updated: third.updated, removed: third.removed }).toEqual({ updated: 1, removed: 1 });
    const rows = symbols(repo.root, repo.dbPath);
    expect(find(rows, 'freshName')).toBeDefined();
    expect(find(rows, 'parseList')).toBeUndefined();
    expect(find(rows, 'NewServer')).toBeUndefined();
  });

  it('should keep indexing past a file with syntax errors', async () => {
    using repo = tempFixtureRepo();
    writeFileSync(join(repo.root, 'src', 'broken.ts'), 'export class {{{ function (\n  const = ;\n');
    const summary = await indexRepository({ root: repo.root, dbPath: repo.dbPath });
    expect(summary.errors).toEqual([]);
    expect(find(symbols(repo.root, repo.dbPath), 'Circle')).toBeDefined();
  });
});

/** The fixture plus `copies` copies of its sources under `gen/<n>/`: enough files to keep two workers busy. */
function largerFixtureRepo(copies: number): TempRepo {
  const repo = tempFixtureRepo();
  for (let n = 0; n < copies; n++) {
    for (const dir of ['src', 'py', 'go', 'rust', 'docs']) cpSync(join(repo.root, dir), join(repo.root, 'gen', String(n), dir), { recursive: true });
  }
  return repo;
}

/** Every row of every plain table (FTS shadow tables included), so two indexes can be compared whole. */
function dump(dbPath: string): Record<string, string[]> {
  using index = openIndexDatabase(dbPath, { readonly: true });
  const tables = index.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name").all() as { name: string }[];
  return Object.fromEntries(tables.map(({ name }) => [name, (index.sqlite.prepare(`SELECT * FROM "${name}"`).all() as unknown[]).map((row) => JSON.stringify(row)).sort()]));
}

describe('indexRepository with parse workers', () => {
  it('should write the same index as parsing on one thread', async () => {
    using repo = largerFixtureRepo(12);
    const sequential = await indexRepository({ root: repo.root, dbPath: join(repo.dir, 'sequential.db'), workers: 0 });
    const pooled = await indexRepository({ root: repo.root, dbPath: repo.dbPath, workers: 2 });
    expect(pooled.files).toBeGreaterThan(80);
    expect({ ...pooled, dbPath: '', durationMs: 0, dbBytes: 0 }).toEqual({ ...sequential, dbPath: '', durationMs: 0, dbBytes: 0 });
    expect(dump(repo.dbPath)).toEqual(dump(join(repo.dir, 'sequential.db')));
  });

  it('should keep every record when workers are recycled every few files', async () => {
    using repo = largerFixtureRepo(3);
    await indexRepository({ root: repo.root, dbPath: join(repo.dir, 'sequential.db'), workers: 0 });
    const summary = await indexRepository({ root: repo.root, dbPath: repo.dbPath, workers: 2, pool: { recycleAfterFiles: 5 } });
    expect(summary.errors).toEqual([]);
    expect(dump(repo.dbPath)).toEqual(dump(join(repo.dir, 'sequential.db')));
  });

  it('should record a file that kills its worker as an error, keep its text and index the rest', async () => {
    using repo = largerFixtureRepo(6);
    await indexRepository({ root: repo.root, dbPath: join(repo.dir, 'sequential.db'), workers: 0 });
    const summary = await indexRepository({ root: repo.root, dbPath: repo.dbPath, workers: 2, pool: { exitOnPath: 'gen/2/src/shapes.ts' } });
    expect(summary.errors).toEqual([{ path: 'gen/2/src/shapes.ts', message: 'the parse worker died on this file (exit code 70)' }]);
    const rows = symbols(repo.root, repo.dbPath);
    expect(rows.filter((row) => row.path === 'gen/2/src/shapes.ts')).toEqual([]);
    expect(rows.filter((row) => row.name === 'Circle' && row.kind === 'class').map((row) => row.path).sort()).toHaveLength(6);
    using index = openRepoIndex({ root: repo.root, dbPath: repo.dbPath });
    const file = index.sqlite.prepare("SELECT status, language FROM files WHERE path = 'gen/2/src/shapes.ts'").get();
    expect(file).toEqual({ status: 'error', language: 'typescript' });
    const literal = await search(index, 'A circle of a given radius', { literal: true, path: 'gen/2/**' });
    expect(literal.map((hit) => hit.path)).toEqual(['gen/2/src/shapes.ts']);
    // The other files' rows, without their symbols' id ranges (one file fewer with symbols shifts them).
    const others = (db: string): Record<string, string[]> => {
      const all = dump(db);
      const withoutRange = (row: string): string => row.replace(/,"first_symbol_id":\w+,"last_symbol_id":\w+/, '');
      return { files: all['files']!.filter((row) => !row.includes('gen/2/src/shapes.ts')).map(withoutRange) };
    };
    expect(others(repo.dbPath)).toEqual(others(join(repo.dir, 'sequential.db')));
  });

  it('should hash unchanged files in the workers and re-read only changed ones', async () => {
    using repo = largerFixtureRepo(6);
    const first = await indexRepository({ root: repo.root, dbPath: repo.dbPath, workers: 2 });
    writeFileSync(join(repo.root, 'gen', '3', 'src', 'util.js'), 'export function freshName() {}\n');
    const again = await indexRepository({ root: repo.root, dbPath: repo.dbPath, workers: 2 });
    expect({ updated: again.updated, unchanged: again.unchanged }).toEqual({ updated: 1, unchanged: first.files - 1 });
    expect(find(symbols(repo.root, repo.dbPath), 'freshName')).toMatchObject({ path: 'gen/3/src/util.js' });
  });
});
