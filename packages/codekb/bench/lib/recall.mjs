/**
 * Definition recall against Universal Ctags, as in src/index/ctags-recall.test.ts: a ctags
 * definition tag counts as recalled when codekb has a symbol of the same name in the same file
 * whose line range contains the tag's line. Only files codekb parsed are compared (files it skips
 * as too large or binary are out of scope by design and counted apart).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** ctags kinds that name a declaration codekb also records (imports and locals are not definitions). */
const DEFINITION_KINDS = new Set(['class', 'function', 'method', 'interface', 'enum', 'alias', 'namespace', 'enumerator', 'property', 'constant', 'variable', 'generator', 'member']);
const CTAGS_LANGUAGE = { typescript: 'TypeScript', tsx: 'TypeScript', javascript: 'JavaScript', python: 'Python' };

/**
 * ctags' TypeScript parser reports identifiers inside expressions as constants: a constant or
 * variable tag counts only when its line declares that name (the test's rule).
 */
function isRealDeclaration(lines, tag) {
  if (tag.kind !== 'constant' && tag.kind !== 'variable') return true;
  const name = tag.name.replace(/[$]/g, '\\$');
  return new RegExp(`(^|\\b(const|let|var)\\s+|^\\s*)${name}\\s*[:=]|\\b(const|let|var)\\s+${name}\\b`).test(lines[tag.line - 1] ?? '');
}

/** Recall per ctags language over the files the index parsed; `sqlite` is the opened index. */
export function ctagsRecall(root, sqlite) {
  const files = sqlite.prepare("SELECT id, path, language FROM files WHERE status = 'parsed'").all().filter((f) => CTAGS_LANGUAGE[f.language]);
  const byPath = new Map(files.map((f) => [f.path, f]));
  const started = performance.now();
  const out = spawnSync('ctags', ['--output-format=json', '--fields=+nKl', '-f', '-', '-L', '-'], {
    cwd: root,
    input: files.map((f) => f.path).join('\n'),
    encoding: 'utf8',
    maxBuffer: 2 * 1024 ** 3,
  });
  const ctagsMs = performance.now() - started;
  if (out.status !== 0) throw new Error(`ctags exited ${out.status}: ${out.stderr?.slice(-1000)}`);
  const symbolsOf = sqlite.prepare('SELECT name, start_line AS start, end_line AS end FROM symbols WHERE file_id = ?');
  const perLanguage = new Map();
  let cached = { path: null, symbols: null, lines: null };
  const tags = out.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((t) => t._type === 'tag' && DEFINITION_KINDS.has(t.kind))
    // ctags names anonymous functions/classes/objects itself (AnonymousFunction230b8b520100): no name in the source.
    .filter((t) => !/^(Anonymous|anonymous)[A-Za-z]*[0-9a-f]{8,}$/.test(t.name))
    .map((t) => ({ path: t.path.replace(/^\.\//, ''), name: t.name, line: t.line, kind: t.kind, language: t.language }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const tag of tags) {
    const file = byPath.get(tag.path);
    if (!file) continue;
    if (cached.path !== tag.path) {
      const byName = new Map();
      for (const s of symbolsOf.all(file.id)) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
      cached = { path: tag.path, symbols: byName, lines: null };
    }
    if (tag.kind === 'constant' || tag.kind === 'variable') {
      cached.lines ??= readFileSync(join(root, tag.path), 'utf8').split('\n');
      if (!isRealDeclaration(cached.lines, tag)) continue;
    }
    const language = tag.language ?? CTAGS_LANGUAGE[file.language];
    const entry = perLanguage.get(language) ?? { language, tags: 0, found: 0, missedByKind: {}, examples: [] };
    perLanguage.set(language, entry);
    entry.tags++;
    if ((cached.symbols.get(tag.name) ?? []).some((s) => s.start <= tag.line && tag.line <= s.end)) entry.found++;
    else {
      entry.missedByKind[tag.kind] = (entry.missedByKind[tag.kind] ?? 0) + 1;
      if (entry.examples.length < 8 && !entry.examples.some((e) => e.includes(` ${tag.kind} `))) entry.examples.push(`${tag.path}:${tag.line} ${tag.kind} ${tag.name}`);
    }
  }
  return { ctagsMs, files: files.length, languages: [...perLanguage.values()].map((e) => ({ ...e, recall: e.found / e.tags })) };
}
