/**
 * Definition recall against Universal Ctags, shared by the bench (bench/query.mjs) and the
 * integration test (src/index/ctags-recall.test.ts): a ctags definition tag counts as recalled
 * when codekb has a symbol of the same name in the same file whose line range contains the tag's
 * line. Only files codekb parsed are compared (files it skips as too large or binary are out of
 * scope by design and counted apart), and ctags reads exactly those files.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const CTAGS_LANGUAGE = { typescript: 'TypeScript', tsx: 'TypeScript', javascript: 'JavaScript', python: 'Python', go: 'Go', rust: 'Rust' };

/**
 * ctags kinds, per language, that name a definition codekb records. Imports are not definitions
 * (Python's `namespace`, `module` and `unknown`, Go's `packageName`), nor are locals and
 * parameters (off by default), nor Go's `package` clause, which every file of a package repeats.
 */
const DEFINITION_KINDS = {
  TypeScript: new Set(['class', 'function', 'method', 'interface', 'enum', 'alias', 'namespace', 'enumerator', 'property', 'constant', 'variable', 'generator']),
  JavaScript: new Set(['class', 'function', 'method', 'property', 'constant', 'variable', 'generator', 'field', 'getter', 'setter']),
  Python: new Set(['class', 'function', 'member', 'variable']),
  Go: new Set(['func', 'const', 'var', 'type', 'talias', 'struct', 'interface', 'member', 'anonMember', 'methodSpec']),
  Rust: new Set(['function', 'method', 'implementation', 'enumerator', 'enum', 'interface', 'field', 'module', 'struct', 'typedef', 'variable', 'macro']),
};

const escape = (name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `name` as a whole word (JavaScript words include `$`). */
const word = (name) => `(?<![\\w$])${escape(name)}(?![\\w$])`;
/**
 * Universal Ctags 5.9 misreads parts of TypeScript and JavaScript expressions and types as
 * declarations: `instanceof`, `satisfies`, `extends`, `is`, `infer` and type names in
 * conditional types come out as aliases or properties, the names in `import type { A, B }` and
 * `export type { A, B }` lists as type aliases, `core` in `= core.$constructor(…)` as a constant.
 * Its kinds are unreliable too (it tags some type aliases as properties). So a tag of these kinds
 * counts only when its line declares the name, whatever the kind; other kinds are taken as ctags
 * reports them. The rules are deliberately loose: they drop only tags whose line cannot declare
 * the name, and they keep the object keys ctags reports as TypeScript constants after a nested
 * object (`  merged: { … },`), which codekb does not record and which count as misses.
 *   - any kind: `type NAME =`, `type NAME<` (not `type NAME,` in an import list), or
 *     `const|let|var|class|interface|enum|namespace|module|function NAME`;
 *   - constant, variable: also `const { a, NAME } =`, `for (const [NAME] of`, `NAME =` or `NAME:`
 *     at the start of a line;
 *   - property: also `NAME:`, `NAME(`, `NAME =`, `NAME?`, `NAME;`, `NAME,` after a line start,
 *     `{`, `,`, `(` or a modifier (`private readonly NAME`), optionally quoted or `#`-prefixed.
 */
const MODIFIERS = '(?:(?:public|private|protected|readonly|static|declare|override|abstract|accessor)\\s+)*';
const declared = (name) => `\\btype\\s+${escape(name)}\\s*(<|=|$)|\\b(const|let|var|class|interface|enum|namespace|module|function\\*?)\\s+${word(name)}`;
const LINE_RULES = {
  constant: (name) => `${declared(name)}|\\b(const|let|var)\\s*[[{][^=]*${word(name)}|^\\s*${escape(name)}\\s*[:=]`,
  alias: declared,
  property: (name) => `${declared(name)}|(^|[{,(;])\\s*${MODIFIERS}(#?${escape(name)}|(?<quote>['"])${escape(name)}\\k<quote>)\\s*[?!]?\\s*([:=;(<,)}]|$)`,
};
LINE_RULES.variable = LINE_RULES.constant;
const RULE_LANGUAGES = new Set(['TypeScript', 'JavaScript']);
const ruleCache = new Map();

/** Whether the tag's line can declare its name (see LINE_RULES); true for kinds without a rule. */
export function isRealDeclaration(lines, tag) {
  const rule = RULE_LANGUAGES.has(tag.language) ? LINE_RULES[tag.kind] : undefined;
  if (rule === undefined) return true;
  const key = `${tag.kind}\0${tag.name}`;
  let re = ruleCache.get(key);
  if (re === undefined) ruleCache.set(key, (re = new RegExp(rule(tag.name))));
  return re.test(lines[tag.line - 1] ?? '');
}

/**
 * Whether one of codekb's symbols (same file) recalls the tag. ctags drops the `#` of
 * JavaScript's private names (`#cache` is tagged `cache`); codekb keeps the name as written.
 */
function recalled(symbols, tag) {
  const covers = (s) => s.start <= tag.line && tag.line <= s.end;
  return (symbols.get(tag.name) ?? []).some(covers) || (symbols.get(`#${tag.name}`) ?? []).some(covers);
}

/** Runs ctags over `paths` (relative to `root`) and returns its definition tags, sorted by path. */
function ctagsDefinitions(root, paths) {
  const out = spawnSync('ctags', ['--output-format=json', '--fields=+nKl', '-f', '-', '-L', '-'], {
    cwd: root,
    input: paths.join('\n'),
    encoding: 'utf8',
    maxBuffer: 2 * 1024 ** 3,
  });
  if (out.status !== 0) throw new Error(`ctags exited ${out.status}: ${out.stderr?.slice(-1000)}`);
  return (
    out.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((t) => t._type === 'tag' && DEFINITION_KINDS[t.language]?.has(t.kind))
      // ctags names anonymous functions/classes/objects itself (AnonymousFunction230b8b520100): no name in the source.
      .filter((t) => !/^(Anonymous|anonymous|__anon)[A-Za-z]*[0-9a-f]{8,}$/.test(t.name))
      .map((t) => ({ path: t.path.replace(/^\.\//, ''), name: t.name, line: t.line, kind: t.kind, language: t.language }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  );
}

/**
 * Recall per ctags language over the files the index parsed; `sqlite` is the opened index.
 * Per language: ctags definition tags counted, found, recall, misses by kind with an example for
 * each of up to `examples` kinds, and the tags `excluded` by LINE_RULES, by kind.
 */
export function ctagsRecall(root, sqlite, { examples = 8 } = {}) {
  const files = sqlite.prepare("SELECT id, path, language FROM files WHERE status = 'parsed'").all().filter((f) => CTAGS_LANGUAGE[f.language]);
  const byPath = new Map(files.map((f) => [f.path, f]));
  const started = performance.now();
  const tags = ctagsDefinitions(
    root,
    files.map((f) => f.path),
  );
  const ctagsMs = performance.now() - started;
  const symbolsOf = sqlite.prepare('SELECT name, start_line AS start, end_line AS end FROM symbols WHERE file_id = ?');
  const perLanguage = new Map();
  let cached = { path: null, symbols: null, lines: null };
  for (const tag of tags) {
    const file = byPath.get(tag.path);
    if (!file) continue;
    if (cached.path !== tag.path) {
      const byName = new Map();
      for (const s of symbolsOf.all(file.id)) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
      cached = { path: tag.path, symbols: byName, lines: null };
    }
    const language = tag.language ?? CTAGS_LANGUAGE[file.language];
    const entry = perLanguage.get(language) ?? { language, tags: 0, found: 0, missedByKind: {}, examples: [], excluded: {} };
    perLanguage.set(language, entry);
    if (RULE_LANGUAGES.has(language) && LINE_RULES[tag.kind]) {
      cached.lines ??= readFileSync(join(root, tag.path), 'utf8').split('\n');
      if (!isRealDeclaration(cached.lines, tag)) {
        entry.excluded[tag.kind] = (entry.excluded[tag.kind] ?? 0) + 1;
        continue;
      }
    }
    entry.tags++;
    if (recalled(cached.symbols, tag)) entry.found++;
    else {
      entry.missedByKind[tag.kind] = (entry.missedByKind[tag.kind] ?? 0) + 1;
      if (entry.examples.length < examples && !entry.examples.some((e) => e.includes(` ${tag.kind} `))) entry.examples.push(`${tag.path}:${tag.line} ${tag.kind} ${tag.name}`);
    }
  }
  return { ctagsMs, files: files.length, languages: [...perLanguage.values()].map((e) => ({ ...e, recall: e.found / e.tags })) };
}
