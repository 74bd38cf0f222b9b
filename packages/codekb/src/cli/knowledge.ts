import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Learning } from '../memory/model.js';
import { memoryRepoKey } from '../memory/repo-key.js';
import type { MemoryStore } from '../memory/store.js';
import { related } from '../query/related.js';
import { openRepoIndex, type RepoIndex } from '../query/repo-index.js';
import { repoMap } from '../query/repo-map.js';
import { emit, positiveInt, type RepoFlags as Flags } from './shared.js';




function openIndex(flags: Flags): RepoIndex {
  try {
    return openRepoIndex({ root: flags.repo, dbPath: flags.db });
  } catch (error) {
    throw new Error(`no usable index (${(error as Error).message}); run \`codekb index\` first`, { cause: error });
  }
}

/** The memory store's functions, loaded when a memory command runs (they bring zod: ~0.2 s that `codekb index` never needs). */
type MemoryApi = typeof import('../memory/store.js') & typeof import('../memory/recall.js');

async function withMemory<T>(flags: Flags, fn: (memory: MemoryStore, api: MemoryApi) => T): Promise<T> {
  const api: MemoryApi = { ...(await import('../memory/store.js')), ...(await import('../memory/recall.js')) };
  using memory = api.openMemory({ path: flags.db });
  return fn(memory, api);
}

function indexOptions(command: Command): Command {
  return command.option('--repo <dir>', 'repository root', '.').option('--db <path>', 'index file').option('--json', 'print JSON');
}

function memoryOptions(command: Command): Command {
  return command.option('--db <path>', 'memory file (default $FLOTILLA_HOME/codekb/memory.db)').option('--json', 'print JSON');
}

function formatLearning(learning: Learning): string {
  const meta = [learning.outcome, learning.tags.length > 0 ? `#${learning.tags.join(' #')}` : '', learning.repo ?? 'global', learning.updatedAt.slice(0, 10)].filter(Boolean);
  return `${learning.id}  ${learning.text.split('\n', 1)[0]}\n    ${meta.join('  ')}`;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function registerIndexCommands(program: Command): void {
  indexOptions(program.command('map').description('the most referenced files and their top symbols, within a token budget'))
    .option('--budget <tokens>', 'token budget (chars / 4)', positiveInt)
    .action((flags: Flags & { budget?: number }) => {
      using repo = openIndex(flags);
      const map = repoMap(repo, { budget: flags.budget });
      emit(flags, map, map.text === '' ? 'no files fit the budget' : map.text);
    });
  indexOptions(program.command('related <path>').description('files related by imports, shared symbols and git co-change'))
    .option('--limit <n>', 'most files', positiveInt)
    .action(async (path: string, flags: Flags & { limit?: number }) => {
      const repo = openIndex(flags);
      using _repo = repo;
      const hits = await related(repo, path, flags);
      if (hits === undefined) throw new Error(`not in the index: ${path}`);
      emit(flags, hits, hits.length === 0 ? 'no related files' : hits.map((hit) => `${hit.path}  ${hit.score}\n    ${hit.reasons.join('\n    ')}`).join('\n'));
    });
}

/** The repo key a learning is filed under: `--global` none, else the checkout at `--repo`. */
function repoKey(flags: { repo?: string; global?: boolean }): string | undefined {
  return flags.global === true ? undefined : memoryRepoKey(flags.repo ?? '.');
}

function registerMemoryCommands(program: Command): void {
  memoryOptions(program.command('remember <text...>').description('record a learning for later recall'))
    .option('--tag <tag>', 'a tag (repeatable)', collect)
    .option('--outcome <outcome>', 'success, failure or note')
    .option('--repo <dir>', 'file it under this checkout', '.')
    .option('--global', 'file it under no repository')
    .action((words: string[], flags: Flags & { tag?: string[]; outcome?: string; global?: boolean }) =>
      withMemory(flags, (memory, { remember }) => {
        const learning = remember(memory, { text: words.join(' '), tags: flags.tag, outcome: flags.outcome as Learning['outcome'], repo: repoKey(flags) ?? null });
        emit(flags, learning, `remembered ${learning.id}`);
      }),
    );
  memoryOptions(program.command('recall <query...>').description('learnings relevant to a query, by relevance and recency'))
    .option('--limit <n>', 'most learnings', positiveInt)
    .option('--repo <dir>', "this checkout's and global learnings", '.')
    .option('--all', 'learnings of every repository')
    .action((words: string[], flags: Flags & { limit?: number; all?: boolean }) =>
      withMemory(flags, (memory, { recall }) => {
        const hits = recall(memory, { query: words.join(' '), limit: flags.limit, repo: flags.all === true ? undefined : repoKey(flags) });
        emit(flags, hits, hits.length === 0 ? 'nothing recalled' : hits.map(formatLearning).join('\n'));
      }),
    );
  const memoryCommand = program.command('memory').description('list, edit, delete, export and import learnings');
  memoryOptions(memoryCommand.command('ls').description('learnings, newest first'))
    .option('--tag <tag>', 'only with this tag')
    .option('--limit <n>', 'most learnings', positiveInt)
    .action((flags: Flags & { tag?: string; limit?: number }) =>
      withMemory(flags, (memory, { listMemories }) => {
        const learnings = listMemories(memory, flags);
        emit(flags, learnings, learnings.length === 0 ? 'no learnings' : learnings.map(formatLearning).join('\n'));
      }),
    );
  memoryOptions(memoryCommand.command('edit <id> <text...>').description("replace a learning's text"))
    .option('--tag <tag>', 'replace the tags (repeatable)', collect)
    .option('--outcome <outcome>', 'success, failure or note')
    .action((id: string, words: string[], flags: Flags & { tag?: string[]; outcome?: string }) =>
      withMemory(flags, (memory, { editMemory }) => {
        const patch = { text: words.join(' '), ...(flags.tag === undefined ? {} : { tags: flags.tag }), ...(flags.outcome === undefined ? {} : { outcome: flags.outcome as Learning['outcome'] }) };
        const learning = editMemory(memory, id, patch);
        if (learning === undefined) throw new Error(`no learning ${id}`);
        emit(flags, learning, `edited ${learning.id}`);
      }),
    );
  memoryOptions(memoryCommand.command('rm <id>').description('delete a learning')).action((id: string, flags: Flags) =>
    withMemory(flags, (memory, { deleteMemory }) => {
      if (!deleteMemory(memory, id)) throw new Error(`no learning ${id}`);
      emit(flags, { deleted: id }, `deleted ${id}`);
    }),
  );
  memoryCommand
    .command('export')
    .description('every learning as JSON Lines on stdout')
    .option('--db <path>', 'memory file')
    .action(async (flags: Flags) => {
      await withMemory(flags, (memory, { exportMemories }) => process.stdout.write(exportMemories(memory).map((l) => `${JSON.stringify(l)}\n`).join('')));
    });
  memoryOptions(memoryCommand.command('import <file>').description('merge a JSON Lines export in (by content hash; never duplicates)')).action(
    async (file: string, flags: Flags) => {
      const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line.trim() !== '');
      const items = lines.map((line, index) => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          throw new Error(`${file}:${index + 1}: not JSON`);
        }
      });
      await withMemory(flags, (memory, { importMemories }) => {
        const result = importMemories(memory, items);
        emit(flags, result, `imported ${lines.length}: ${result.added} added, ${result.merged} merged, ${result.unchanged} unchanged`);
      });
    },
  );
}

/**
 * Registers `map`, `related`, `remember`, `recall` and `memory ls|edit|rm|export|import`. Failures
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
