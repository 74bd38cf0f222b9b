/**
 * The director's periodic consolidation of learnings through the real codekb CLI (its built bin,
 * by path, with its own FLOTILLA_HOME): near-duplicates merged and a contradiction superseded in the
 * real memory.db, recall no longer answering the superseded learnings, and the interval honoured
 * across a restart (a new scheduler over the same state dir).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeTempDir } from '@flotilla/testkit';
import { describe, expect, it } from 'vitest';
import { formatConfigIssue, parseConfig } from '../config/load-config.js';
import { RecalledLearningSchema } from './codekb-learnings.js';
import { consolidateLearnings, CODEKB_MISSING_NO_CONSOLIDATION, type ConsolidationOutcome } from './consolidate-learnings.js';
import { formatLearningsSection } from './learning-text.js';
import { consolidationStatePath, createLearningsConsolidation } from './consolidation-schedule.js';

const CODEKB_MAIN = fileURLToPath(new URL('../../../codekb/dist/cli/main.js', import.meta.url));
const HOUR = 3_600_000;
const T0 = Date.parse('2025-06-01T08:00:00Z');

function codekb(env: NodeJS.ProcessEnv, args: string[]): Promise<unknown> {
  return promisify(execFile)(process.execPath, [CODEKB_MAIN, ...args], { env }).then(({ stdout }) => JSON.parse(stdout) as unknown);
}

interface Listed {
  id: string;
  text: string;
  supersededBy: string | null;
  supersededReason: string | null;
  timesLearned: number;
}

describe('learnings consolidation', () => {
  it.skipIf(!existsSync(CODEKB_MAIN))('should merge and supersede in the real codekb memory, at most once per interval across a restart', { timeout: 180_000 }, async () => {
    await using tmp = await makeTempDir('director-consolidate-');
    const env = { ...process.env, FLOTILLA_HOME: join(tmp.path, 'fl'), FLOTILLA_CODEKB_BIN: CODEKB_MAIN };
    const learn = (text: string, outcome: string) => codekb(env, ['remember', text, '--global', '--outcome', outcome, '--tag', 'director', '--json']);
    await learn('Run pnpm build before the tests: the packages import each other from dist.', 'note');
    await learn('The tests import the other packages from dist, so run pnpm build before running them.', 'note');
    await learn('vitest works with --pool=threads in the api package', 'success');
    await learn('vitest fails with --pool=threads in the api package', 'failure');
    await learn('Login rate limiting lives in src/auth/rate-limit.ts, keyed by IP and user.', 'note');

    const lines: string[] = [];
    const stateDir = join(tmp.path, 'director');
    const first = createLearningsConsolidation({ stateDir, everyHours: 24, env, say: (line) => lines.push(line) });
    const ran = await first.maybeConsolidate(T0);
    expect(ran).toMatchObject({ ran: true, outcome: { ok: true, summary: { examined: 5, mergedGroups: 1, replaced: 1, superseded: 1, contested: 0 } }, nextAt: new Date(T0 + 24 * HOUR).toISOString() });
    expect(lines).toEqual(['learnings consolidated: 5 current, 1 merged into 1, 1 superseded by newer ones, 0 contested pairs']);

    // The real memory: nothing deleted, two learnings superseded, recall answers without them.
    const all = (await codekb(env, ['memory', 'ls', '--all', '--json'])) as Listed[];
    expect(all).toHaveLength(5);
    expect(all.filter((l) => l.supersededBy !== null).map((l) => l.supersededReason).sort()).toEqual(['contradicted', 'duplicate']);
    const recalled = (await codekb(env, ['recall', 'vitest', 'pool', 'threads', 'pnpm', 'build', 'tests', '--all', '--json'])) as Listed[];
    // Of two wordings that say as much, learned as often, the newer is kept.
    expect(recalled.map((l) => l.text).sort()).toEqual(['The tests import the other packages from dist, so run pnpm build before running them.', 'vitest fails with --pool=threads in the api package']);
    expect(recalled.find((l) => l.text.startsWith('The tests import'))?.timesLearned).toBe(2);

    // Within the interval: nothing runs, in this process or after a restart.
    await learn('Before running the tests, run pnpm build: the packages import each other from dist.', 'note');
    expect(await first.maybeConsolidate(T0 + HOUR)).toEqual({ ran: false, reason: 'not_due', nextAt: new Date(T0 + 24 * HOUR).toISOString() });
    const restarted = createLearningsConsolidation({ stateDir, everyHours: 24, env, say: (line) => lines.push(line) });
    expect(await restarted.maybeConsolidate(T0 + 23 * HOUR)).toMatchObject({ ran: false, reason: 'not_due' });
    expect(lines).toHaveLength(1);
    expect((await restarted.lastAttempt())?.summary).toMatchObject({ replaced: 1, superseded: 1 });

    // Once the interval has passed, the restarted director consolidates the new duplicate; then nothing is left to do.
    expect(await restarted.maybeConsolidate(T0 + 24 * HOUR)).toMatchObject({ ran: true, outcome: { ok: true, summary: { replaced: 1, superseded: 0 } } });
    expect(await restarted.maybeConsolidate(T0 + 48 * HOUR)).toMatchObject({ ran: true, outcome: { ok: true, summary: { mergedGroups: 0, replaced: 0, superseded: 0, changed: 0 } } });
  });

  it('should say once per interval that codekb is missing, and count a torn state file as no attempt', async () => {
    await using tmp = await makeTempDir('director-consolidate-missing-');
    const lines: string[] = [];
    const schedule = createLearningsConsolidation({ stateDir: tmp.path, everyHours: 6, consolidate: () => consolidateLearnings({ env: {}, bin: null }), say: (line) => lines.push(line) });
    expect(await schedule.maybeConsolidate(T0)).toEqual({ ran: true, outcome: { ok: false, problem: CODEKB_MISSING_NO_CONSOLIDATION }, nextAt: new Date(T0 + 6 * HOUR).toISOString() });
    expect(await schedule.maybeConsolidate(T0 + 5 * HOUR)).toMatchObject({ ran: false });
    expect(lines).toEqual([`learnings: ${CODEKB_MISSING_NO_CONSOLIDATION}`]);
    expect(JSON.parse(await readFile(consolidationStatePath(tmp.path), 'utf8'))).toMatchObject({ lastAttemptAt: new Date(T0).toISOString(), ok: false });

    await writeFile(consolidationStatePath(tmp.path), '{"lastAttemptAt": "2025-06-01T0');
    expect(await schedule.maybeConsolidate(T0 + 5 * HOUR)).toMatchObject({ ran: true });
  });

  it('should run one consolidation at a time', async () => {
    await using tmp = await makeTempDir('director-consolidate-once-');
    let release: (outcome: ConsolidationOutcome) => void = () => undefined;
    let calls = 0;
    const schedule = createLearningsConsolidation({
      stateDir: tmp.path,
      consolidate: () => {
        calls += 1;
        return new Promise((resolve) => (release = resolve));
      },
    });
    const first = schedule.maybeConsolidate(T0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await schedule.maybeConsolidate(T0)).toEqual({ ran: false, reason: 'running', nextAt: null });
    release({ ok: true, summary: { examined: 0, mergedGroups: 0, replaced: 0, superseded: 0, contested: 0, changed: 0 } });
    expect(await first).toMatchObject({ ran: true, nextAt: new Date(T0 + 24 * HOUR).toISOString() });
    expect(calls).toBe(1);
  });

  it('should cite in the prompt how often a recalled lesson was learned and that it is contested', () => {
    const base = { id: 'L1', tags: [], createdAt: '2025-06-01T00:00:00.000Z', updatedAt: '2025-06-02T00:00:00.000Z' };
    const section = formatLearningsSection([
      RecalledLearningSchema.parse({ ...base, text: 'vitest needs --pool=forks', outcome: 'success', timesLearned: 3, contested: false, supersededBy: null }),
      RecalledLearningSchema.parse({ ...base, id: 'L2', text: 'the api tests need postgres', outcome: null, timesLearned: 1, contested: true }),
      RecalledLearningSchema.parse({ ...base, id: 'L3', text: 'from an older codekb', outcome: 'failure' }),
    ]);
    expect(section?.split('\n').slice(-3)).toEqual([
      '- (2025-06-02, success, learned 3×) vitest needs --pool=forks',
      '- (2025-06-02, note, contested: another learning says the opposite) the api tests need postgres',
      '- (2025-06-02, failure) from an older codekb',
    ]);
  });

  it('should read learnings.consolidateEveryHours from flotilla.yaml', () => {
    const result = parseConfig('repos: [{name: api, path: /a, base: main}]\nlearnings: {consolidateEveryHours: 6}');
    if (!result.ok) throw new Error(result.issues.map(formatConfigIssue).join('\n'));
    expect(result.config.learnings).toEqual({ consolidateEveryHours: 6 });
    const refused = parseConfig('repos: [{name: api, path: /a, base: main}]\nlearnings: {consolidateEveryHours: 0}');
    expect(refused.ok).toBe(false);
  });
});
