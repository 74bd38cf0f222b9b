/**
 * Learnings through codekb's agent memory (issue 8 item 2): recalled before a batch's prompt is built,
 * recorded when the batch ends. codekb is an optional add-on, never a dependency: its `codekb` bin is
 * found at run time — FLOTILLA_CODEKB_BIN, else `@flotilla/codekb` installed beside the director
 * (`findAddonBin`), else PATH — and called with `--json`, whose output is parsed with zod. A missing
 * or failing codekb means no learnings (said in the cycle report), never a failed batch.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import createDebug from 'debug';
import { findAddonBin } from '@flotilla/kit/web';
import { z } from 'zod';

const debug = createDebug('director:learnings');

export const CODEKB_PACKAGE = '@flotilla/codekb';
export const CODEKB_BIN = 'codekb';

/** How to run codekb: a JavaScript file through this Node, else the executable itself. */
export interface CodekbCommand {
  command: string;
  args: string[];
}

/** FLOTILLA_CODEKB_BIN (`off` disables learnings), else beside the director, else PATH; null when absent. */
export function findCodekbBin(env: Readonly<Record<string, string | undefined>>, from: string = import.meta.url): CodekbCommand | null {
  const explicit = env.FLOTILLA_CODEKB_BIN;
  if (explicit === 'off') return null;
  const path = explicit !== undefined && explicit !== '' ? explicit : (findAddonBin(CODEKB_PACKAGE, CODEKB_BIN, from) ?? onPath(CODEKB_BIN, env.PATH));
  if (path === null) return null;
  if (/\.[cm]?js$/.test(path)) return { command: process.execPath, args: [path] };
  return { command: path, args: [] };
}

function onPath(name: string, pathVariable: string | undefined): string | null {
  for (const dir of (pathVariable ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export const LearningOutcomeSchema = z.enum(['success', 'failure', 'note']);
export type LearningOutcome = z.infer<typeof LearningOutcomeSchema>;

/** A learning as `codekb recall --json` and `codekb remember --json` print it (extra fields ignored). */
export const RecalledLearningSchema = z.object({
  id: z.string().min(1),
  text: z.string(),
  tags: z.array(z.string()),
  outcome: LearningOutcomeSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** How often the lesson was learned (codekb memory schema 2; absent from older codekb). */
  timesLearned: z.number().int().positive().optional(),
  /** Another current learning says the opposite and neither could be preferred (schema 2). */
  contested: z.boolean().optional(),
});
export type RecalledLearning = z.infer<typeof RecalledLearningSchema>;

export interface LearningToRecord {
  /** The repo's checkout (not a worktree): codekb files learnings under its origin remote, else its name. */
  repoPath: string;
  text: string;
  tags: string[];
  outcome: LearningOutcome;
}

/** What was recalled; `problem` says why nothing could be (codekb missing or failing). */
export type RecallResult = { learnings: RecalledLearning[]; problem: string | null };

export interface Learnings {
  recall(input: { repoPath: string; query: string; limit?: number }): Promise<RecallResult>;
  /** Resolves the new learning's id, or the problem in words. Never throws. */
  remember(record: LearningToRecord): Promise<{ ok: true; id: string } | { ok: false; problem: string }>;
}

export interface CodekbLearningsOptions {
  /** The environment codekb runs with (its memory is `$FLOTILLA_HOME/codekb/memory.db`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Default: `findCodekbBin(env)`. */
  bin?: CodekbCommand | null;
  /** Per codekb call (default 30 s). */
  timeoutMs?: number;
}

export const CODEKB_MISSING = `codekb was not found (FLOTILLA_CODEKB_BIN, ${CODEKB_PACKAGE} beside the director, or on PATH): no learnings recalled or recorded`;

/**
 * @example
 * const learnings = createCodekbLearnings({ env: process.env });
 * const { learnings: hits } = await learnings.recall({ repoPath: '/src/api', query: 'login rate limit', limit: 5 });
 */
export function createCodekbLearnings(options: CodekbLearningsOptions): Learnings {
  const bin = options.bin === undefined ? findCodekbBin(options.env) : options.bin;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const run = (args: string[]): Promise<unknown> => runCodekb(bin!, args, { env: options.env, timeoutMs });
  return {
    async recall({ repoPath, query, limit = 5 }) {
      if (bin === null) return { learnings: [], problem: CODEKB_MISSING };
      if (query.trim() === '') return { learnings: [], problem: null };
      try {
        const parsed = z.array(RecalledLearningSchema).safeParse(await run(['recall', query, '--repo', repoPath, '--limit', String(limit), '--json']));
        if (!parsed.success) return { learnings: [], problem: `codekb recall answered an unexpected shape: ${parsed.error.message}` };
        return { learnings: parsed.data, problem: null };
      } catch (error) {
        return { learnings: [], problem: `codekb recall failed: ${(error as Error).message}` };
      }
    },
    async remember(record) {
      if (bin === null) return { ok: false, problem: CODEKB_MISSING };
      const tagArgs = record.tags.flatMap((tag) => ['--tag', tag]);
      try {
        const parsed = RecalledLearningSchema.safeParse(await run(['remember', record.text, '--repo', record.repoPath, '--outcome', record.outcome, ...tagArgs, '--json']));
        if (!parsed.success) return { ok: false, problem: `codekb remember answered an unexpected shape: ${parsed.error.message}` };
        return { ok: true, id: parsed.data.id };
      } catch (error) {
        return { ok: false, problem: `codekb remember failed: ${(error as Error).message}` };
      }
    },
  };
}

/** Runs codekb with `args` (no shell); resolves its stdout parsed as JSON. */
export function runCodekb(bin: CodekbCommand, args: string[], options: { env: Readonly<Record<string, string | undefined>>; timeoutMs: number }): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(bin.command, [...bin.args, ...args], { env: { ...options.env }, timeout: options.timeoutMs, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const said = stderr.trim().split('\n').slice(-3).join(' ');
        reject(new Error(`${error.message.split('\n', 1)[0]}${said ? `: ${said}` : ''}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout));
      } catch {
        debug('codekb printed: %s', stdout.slice(0, 500));
        reject(new Error(`codekb ${args[0]} printed no JSON`));
      }
    });
  });
}
