import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Command } from 'commander';
import { indexRepository } from '../index/indexer.js';
import type { RepoIndex } from '../query/repo-index.js';
import { defaultDbPath } from '../store/db-path.js';
import { CODEKB_VERSION } from '../version.js';
import type { VectorFlags } from '../vector/config.js';
import { isVectorError } from '../vector/errors.js';
import { formatDefinitions, formatOutline, formatRead, formatRefs, formatSearch, formatSummary } from './format.js';
import { registerKnowledgeCommands } from './knowledge.js';
import { registerServeCommand } from './serve.js';
import { emit, positiveInt, type RepoFlags } from './shared.js';
import { formatVectorOutcome, syncAfterIndex, vectorBackendFor, vectorConfigFor, vectorOptions } from './vectors.js';

/** A CLI failure with its exit code; only the top level turns it into `process.exitCode`. */
class ExitError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * V8 settings for a process that indexes and exits. Without inlining, TurboFan compiles each hot
 * function on its own instead of re-compiling the walk with every rule it calls folded in, again
 * in every parse worker and after every deoptimisation: on zod's full index the compiler threads'
 * CPU fell from ~1.1 to ~0.55 s (of ~5.5 s) and the parse workers' own CPU did not grow. The flag
 * is process-wide (worker threads share it) and applies to what is compiled after it is set, so
 * it is set here, before any file is parsed, and not by the indexer (a library may run in a
 * long-lived process: `codekb serve`, whose queries keep V8's defaults).
 */
function compileForOneRun(): void {
  setFlagsFromString('--no-turbo-inlining');
}

/**
 * The index of `--repo`, or exit 2. The query modules load here, not at start: `codekb index` (and
 * `serve`, `recall`…) start without them.
 */
async function openOrExit(flags: RepoFlags): Promise<RepoIndex> {
  const { openRepoIndex } = await import('../query/repo-index.js');
  try {
    return openRepoIndex({ root: flags.repo, dbPath: flags.db });
  } catch (error) {
    throw new ExitError(2, `no usable index (${(error as Error).message}); run \`codekb index\` first`);
  }
}

async function withRepo(flags: RepoFlags, fn: (repo: RepoIndex, symbols: typeof import('../query/symbols.js')) => void): Promise<void> {
  using repo = await openOrExit(flags);
  fn(repo, await import('../query/symbols.js'));
}

function repoOptions(command: Command): Command {
  return command.option('--repo <dir>', 'repository root', '.').option('--db <path>', 'index file').option('--json', 'print JSON');
}

function buildProgram(): Command {
  const program = new Command('codekb')
    .description('Code knowledge index: cited search, definitions, references, outlines.')
    .version(CODEKB_VERSION, '-V, --version', 'print the codekb version');
  vectorOptions(program.command('index [dir]'))
    .description('index a repository (default: the current directory); with vector search configured, embed what changed')
    .option('--db <path>', 'index file')
    .option('--json', 'print JSON')
    .action(async (dir: string | undefined, flags: VectorFlags & { db?: string; json?: boolean }) => {
      const config = await vectorConfigFor(flags);
      compileForOneRun();
      const tty = process.stderr.isTTY === true && flags.json !== true;
      const progress = (what: string) => (tty ? (done: number, total: number) => (done % 50 === 0 || done === total) && process.stderr.write(`\r${what} ${done}/${total}`) : undefined);
      const summary = await indexRepository({ root: dir, dbPath: flags.db, onProgress: progress('indexing') });
      if (tty) process.stderr.write('\n');
      const vectors = await vectorBackendFor(config, summary.dbPath);
      if (vectors === undefined) return emit(flags, summary, formatSummary(summary));
      const outcome = await syncAfterIndex(vectors, summary.root, progress('embedding'));
      if (tty) process.stderr.write('\n');
      emit(flags, { ...summary, vectors: outcome }, `${formatSummary(summary)}\n${formatVectorOutcome(outcome)}`);
      if (!outcome.ok) throw new ExitError(1, `vector index failed (${outcome.code}); the SQLite index is complete and search answers with BM25 until \`codekb index\` succeeds`);
    });
  vectorOptions(repoOptions(program.command('search <query...>').description('ranked search (or --literal substrings), fused with vector search when configured')))
    .option('--literal', 'exact substring, like rg -F')
    .option('--language <lang>', 'only this language')
    .option('--path <glob>', 'only paths matching this glob')
    .option('--limit <n>', 'most hits', positiveInt)
    .action(async (words: string[], flags: RepoFlags & VectorFlags & { literal?: boolean; language?: string; path?: string; limit?: number }) => {
      const config = await vectorConfigFor(flags);
      const repo = await openOrExit(flags);
      using _repo = repo;
      const vectors = await vectorBackendFor(config, resolve(flags.db ?? defaultDbPath(repo.root)));
      const { hybridSearch } = await import('../vector/hybrid.js');
      const { hits, note } = await hybridSearch(repo, words.join(' '), { ...flags, vectors });
      if (note !== undefined) process.stderr.write(`codekb: ${note}\n`);
      emit(flags, hits, formatSearch(hits));
    });
  repoOptions(program.command('def <name>').description('where a symbol (or Container.member) is defined'))
    .option('--limit <n>', 'most hits', positiveInt)
    .action((name: string, flags: RepoFlags & { limit?: number }) => withRepo(flags, (repo, { definition }) => emitHits(flags, definition(repo, name, flags), formatDefinitions)));
  repoOptions(program.command('refs <name>').description('where a name is used'))
    .option('--limit <n>', 'most hits', positiveInt)
    .action((name: string, flags: RepoFlags & { limit?: number }) => withRepo(flags, (repo, { references }) => emitHits(flags, references(repo, name, flags), formatRefs)));
  repoOptions(program.command('outline <path>').description("a file's symbols as a tree")).action((path: string, flags: RepoFlags) =>
    withRepo(flags, (repo, { outline, noSymbolsReason }) => {
      const tree = outline(repo, path);
      if (tree === undefined) throw new ExitError(1, `not in the index: ${path}`);
      const reason = tree.length === 0 ? noSymbolsReason(repo, path) : null;
      emit(flags, tree, tree.length > 0 ? formatOutline(path, tree) : reason === null ? `no symbols in ${path}` : `no symbols in ${path}: ${reason}`);
    }),
  );
  repoOptions(program.command('read <path> [start] [end]').description('numbered lines of a file')).action(
    async (path: string, start: string | undefined, end: string | undefined, flags: RepoFlags) => {
      const repo = await openOrExit(flags);
      using _repo = repo;
      const { read } = await import('../query/read.js');
      const result = await read(repo, path, start === undefined ? 1 : positiveInt(start), end === undefined ? undefined : positiveInt(end));
      if (!result.ok) throw new ExitError(1, `${result.code}: ${result.message}`);
      emit(flags, result, formatRead(result));
    },
  );
  registerServeCommand(program);
  registerKnowledgeCommands(program);
  return program;
}

function emitHits<T>(flags: RepoFlags, hits: T[], format: (hits: T[]) => string): void {
  emit(flags, hits, hits.length === 0 ? 'no hits' : format(hits));
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`codekb: ${(error as Error).message}\n`);
  // A bad vector configuration is a usage error, like a bad flag.
  process.exitCode = error instanceof ExitError ? error.exitCode : isVectorError(error) && error.code === 'VECTOR_CONFIG_INVALID' ? 2 : 1;
}
