/**
 * `codekb remember`, `recall` and `memory ls|edit|rm|export|import|consolidate`: agent memory from
 * the command line (`src/memory/`). Failures throw; the caller's top level prints them and sets the
 * exit code.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ConsolidationReport, LearningRef } from '../memory/consolidate.js';
import type { Learning } from '../memory/model.js';
import { memoryRepoKey } from '../memory/repo-key.js';
import type { MemoryStore } from '../memory/store.js';
import { emit, positiveInt, type RepoFlags as Flags } from './shared.js';

/** The memory store's functions, loaded when a memory command runs (they bring zod: ~0.2 s that `codekb index` never needs). */
type MemoryApi = typeof import('../memory/store.js') & typeof import('../memory/recall.js') & typeof import('../memory/exchange.js') & typeof import('../memory/consolidate.js');

async function withMemory<T>(flags: Flags, fn: (memory: MemoryStore, api: MemoryApi) => T): Promise<T> {
  const [store, recall, exchange, consolidate] = await Promise.all([import('../memory/store.js'), import('../memory/recall.js'), import('../memory/exchange.js'), import('../memory/consolidate.js')]);
  const api: MemoryApi = { ...store, ...recall, ...exchange, ...consolidate };
  using memory = api.openMemory({ path: flags.db });
  return fn(memory, api);
}

function memoryOptions(command: Command): Command {
  return command.option('--db <path>', 'memory file (default $FLOTILLA_HOME/codekb/memory.db)').option('--json', 'print JSON');
}

function formatLearning(learning: Learning): string {
  const meta = [
    learning.outcome,
    learning.tags.length > 0 ? `#${learning.tags.join(' #')}` : '',
    learning.repo ?? 'global',
    learning.updatedAt.slice(0, 10),
    learning.timesLearned > 1 ? `learned ${learning.timesLearned}×` : '',
    learning.contested ? 'contested' : '',
    learning.replaces !== undefined ? `replaces ${learning.replaces.join(' ')}` : '',
    learning.supersededBy !== null ? `superseded by ${learning.supersededBy} (${learning.supersededReason})` : '',
  ].filter(Boolean);
  return `${learning.id}  ${learning.text.split('\n', 1)[0]}\n    ${meta.join('  ')}`;
}

function formatRef(learning: LearningRef): string {
  const text = learning.text.split('\n', 1)[0] ?? '';
  return `${learning.id} (${learning.outcome ?? 'no outcome'}, ${learning.updatedAt.slice(0, 10)}) ${text.length > 100 ? `${text.slice(0, 99)}…` : text}`;
}

/** The consolidation report for a person: what was merged, superseded and flagged. */
export function formatConsolidation(report: ConsolidationReport): string {
  const lines = [
    `${report.dryRun ? 'would consolidate' : 'consolidated'} ${report.examined} current learnings: ${report.merged.length} merged, ${report.superseded.length} superseded by newer ones, ${report.contested.length} contested pairs, ${report.changed} rows written`,
  ];
  for (const merge of report.merged) lines.push(`merged into ${formatRef(merge.into)} — learned ${merge.timesLearned}×`, ...merge.replaced.map((r) => `    replaces ${formatRef(r)}`));
  for (const { learning, by } of report.superseded) lines.push(`superseded ${formatRef(learning)}`, `    by ${formatRef(by)}`);
  for (const [newer, older] of report.contested) lines.push(`contested ${formatRef(newer)}`, `    against ${formatRef(older)}`);
  for (const learning of report.uncontested) lines.push(`no longer contested ${formatRef(learning)}`);
  return lines.join('\n');
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The repo key a learning is filed under: `--global` none, else the checkout at `--repo`. */
function repoKey(flags: { repo?: string; global?: boolean }): string | undefined {
  return flags.global === true ? undefined : memoryRepoKey(flags.repo ?? '.');
}

function registerRememberRecall(program: Command): void {
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
  memoryOptions(program.command('recall <query...>').description('learnings relevant to a query, by relevance, recency and evidence'))
    .option('--limit <n>', 'most learnings', positiveInt)
    .option('--repo <dir>', "this checkout's and global learnings", '.')
    .option('--all', 'learnings of every repository')
    .action((words: string[], flags: Flags & { limit?: number; all?: boolean }) =>
      withMemory(flags, (memory, { recall }) => {
        const hits = recall(memory, { query: words.join(' '), limit: flags.limit, repo: flags.all === true ? undefined : repoKey(flags) });
        emit(flags, hits, hits.length === 0 ? 'nothing recalled' : hits.map(formatLearning).join('\n'));
      }),
    );
}

function registerEditing(memoryCommand: Command): void {
  memoryOptions(memoryCommand.command('ls').description('current learnings, newest first'))
    .option('--tag <tag>', 'only with this tag')
    .option('--limit <n>', 'most learnings', positiveInt)
    .option('--all', 'superseded learnings too (merged into another, or overruled by a newer one)')
    .action((flags: Flags & { tag?: string; limit?: number; all?: boolean }) =>
      withMemory(flags, (memory, { listMemories }) => {
        const learnings = listMemories(memory, { tag: flags.tag, limit: flags.limit, all: flags.all });
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
}

function registerExchange(memoryCommand: Command): void {
  memoryCommand
    .command('export')
    .description('every learning, superseded ones too, as JSON Lines on stdout')
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
  memoryOptions(memoryCommand.command('consolidate').description('merge near-duplicate learnings and settle contradicting ones (nothing is deleted)'))
    .option('--dry-run', 'report what would change, write nothing')
    .action((flags: Flags & { dryRun?: boolean }) =>
      withMemory(flags, (memory, { consolidateMemories }) => {
        const report = consolidateMemories(memory, { dryRun: flags.dryRun });
        emit(flags, report, formatConsolidation(report));
      }),
    );
}

/**
 * Registers `remember`, `recall` and `memory ls|edit|rm|export|import|consolidate`.
 *
 * @example
 * registerMemoryCommands(new Command('codekb'));
 */
export function registerMemoryCommands(program: Command): Command {
  registerRememberRecall(program);
  const memoryCommand = program.command('memory').description('list, edit, delete, export, import and consolidate learnings');
  registerEditing(memoryCommand);
  registerExchange(memoryCommand);
  return program;
}
