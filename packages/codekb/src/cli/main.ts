import { Command } from 'commander';
import { indexRepository } from '../index/indexer.js';
import { read } from '../query/read.js';
import { openRepoIndex, type RepoIndex } from '../query/repo-index.js';
import { search } from '../query/search.js';
import { definition, outline, references } from '../query/symbols.js';
import { formatDefinitions, formatOutline, formatRead, formatRefs, formatSearch, formatSummary } from './format.js';
import { registerKnowledgeCommands } from './knowledge.js';
import { registerServeCommand } from './serve.js';
import { emit, positiveInt, type RepoFlags } from './shared.js';

/** A CLI failure with its exit code; only the top level turns it into `process.exitCode`. */
class ExitError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}




function openOrExit(flags: RepoFlags): RepoIndex {
  try {
    return openRepoIndex({ root: flags.repo, dbPath: flags.db });
  } catch (error) {
    throw new ExitError(2, `no usable index (${(error as Error).message}); run \`codekb index\` first`);
  }
}

function withRepo(flags: RepoFlags, fn: (repo: RepoIndex) => void): void {
  using repo = openOrExit(flags);
  fn(repo);
}

function repoOptions(command: Command): Command {
  return command.option('--repo <dir>', 'repository root', '.').option('--db <path>', 'index file').option('--json', 'print JSON');
}

function buildProgram(): Command {
  const program = new Command('codekb').description('Code knowledge index: cited search, definitions, references, outlines.');
  program
    .command('index [dir]')
    .description('index a repository (default: the current directory)')
    .option('--db <path>', 'index file')
    .option('--json', 'print JSON')
    .action(async (dir: string | undefined, flags: { db?: string; json?: boolean }) => {
      const tty = process.stderr.isTTY === true && flags.json !== true;
      const summary = await indexRepository({
        root: dir,
        dbPath: flags.db,
        onProgress: tty ? (done, total) => (done % 50 === 0 || done === total) && process.stderr.write(`\rindexing ${done}/${total}`) : undefined,
      });
      if (tty) process.stderr.write('\n');
      emit(flags, summary, formatSummary(summary));
    });
  repoOptions(program.command('search <query...>').description('ranked search (or --literal substrings)'))
    .option('--literal', 'exact substring, like rg -F')
    .option('--language <lang>', 'only this language')
    .option('--path <glob>', 'only paths matching this glob')
    .option('--limit <n>', 'most hits', positiveInt)
    .action(async (words: string[], flags: RepoFlags & { literal?: boolean; language?: string; path?: string; limit?: number }) => {
      const repo = openOrExit(flags);
      using _repo = repo;
      const hits = await search(repo, words.join(' '), flags);
      emit(flags, hits, formatSearch(hits));
    });
  repoOptions(program.command('def <name>').description('where a symbol (or Container.member) is defined'))
    .option('--limit <n>', 'most hits', positiveInt)
    .action((name: string, flags: RepoFlags & { limit?: number }) => withRepo(flags, (repo) => emitHits(flags, definition(repo, name, flags), formatDefinitions)));
  repoOptions(program.command('refs <name>').description('where a name is used'))
    .option('--limit <n>', 'most hits', positiveInt)
    .action((name: string, flags: RepoFlags & { limit?: number }) => withRepo(flags, (repo) => emitHits(flags, references(repo, name, flags), formatRefs)));
  repoOptions(program.command('outline <path>').description("a file's symbols as a tree")).action((path: string, flags: RepoFlags) =>
    withRepo(flags, (repo) => {
      const tree = outline(repo, path);
      if (tree === undefined) throw new ExitError(1, `not in the index: ${path}`);
      emit(flags, tree, formatOutline(path, tree));
    }),
  );
  repoOptions(program.command('read <path> [start] [end]').description('numbered lines of a file')).action(
    async (path: string, start: string | undefined, end: string | undefined, flags: RepoFlags) => {
      const repo = openOrExit(flags);
      using _repo = repo;
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
  process.exitCode = error instanceof ExitError ? error.exitCode : 1;
}
