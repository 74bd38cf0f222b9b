import type { Command } from 'commander';
import type { RepoIndex } from '../query/repo-index.js';
import { registerMemoryCommands } from './memory-commands.js';
import { emit, positiveInt, type RepoFlags as Flags } from './shared.js';

/** The index of `--repo`; the query modules load only for these commands. */
async function openIndex(flags: Flags): Promise<RepoIndex> {
  const { openRepoIndex } = await import('../query/repo-index.js');
  try {
    return openRepoIndex({ root: flags.repo, dbPath: flags.db });
  } catch (error) {
    throw new Error(`no usable index (${(error as Error).message}); run \`codekb index\` first`, { cause: error });
  }
}

function indexOptions(command: Command): Command {
  return command.option('--repo <dir>', 'repository root', '.').option('--db <path>', 'index file').option('--json', 'print JSON');
}

function registerIndexCommands(program: Command): void {
  indexOptions(program.command('map').description('the most referenced files and their top symbols, within a token budget'))
    .option('--budget <tokens>', 'token budget (chars / 4)', positiveInt)
    .action(async (flags: Flags & { budget?: number }) => {
      using repo = await openIndex(flags);
      const { repoMap } = await import('../query/repo-map.js');
      const map = repoMap(repo, { budget: flags.budget });
      emit(flags, map, map.text === '' ? 'no files fit the budget' : map.text);
    });
  indexOptions(program.command('related <path>').description('files related by imports, shared symbols and git co-change'))
    .option('--limit <n>', 'most files', positiveInt)
    .action(async (path: string, flags: Flags & { limit?: number }) => {
      const repo = await openIndex(flags);
      using _repo = repo;
      const { related } = await import('../query/related.js');
      const hits = await related(repo, path, flags);
      if (hits === undefined) throw new Error(`not in the index: ${path}`);
      emit(flags, hits, hits.length === 0 ? 'no related files' : hits.map((hit) => `${hit.path}  ${hit.score}\n    ${hit.reasons.join('\n    ')}`).join('\n'));
    });
}

/**
 * Registers `map`, `related`, `remember`, `recall` and `memory ls|edit|rm|export|import|consolidate`. Failures
 * throw; the caller's top level prints them and sets the exit code.
 *
 * @example
 * registerKnowledgeCommands(new Command('codekb'));
 */
export function registerKnowledgeCommands(program: Command): Command {
  registerIndexCommands(program);
  registerMemoryCommands(program);
  return program;
}
