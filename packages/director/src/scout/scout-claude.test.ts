import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { claudeBin, claudeEnv, makeTempDir, runProcess, seedClaudeHome, startFakeAnthropic } from '@flotilla/testkit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DirectorConfigSchema } from '../config/config-schema.js';
import type { RunJobResult } from '../cycle/run-job.js';
import { openFlowLedger } from '../flow/flow-ledger.js';
import type { FlowJobRequest } from '../flow/flow-runner.js';
import { makeScoutRepo, startScoutHub } from '../test-support/scout-world.js';
import { openScoutRecord } from './scout-record.js';
import { runScout } from './scout-run.js';

const API_KEY = 'sk-ant-api03-director-scout-0123456789';
const ResultLineSchema = z.object({ type: z.literal('result'), is_error: z.boolean(), result: z.string().optional(), session_id: z.string() });

describe('the scout step with the real Claude Code CLI against a scripted fake model API', () => {
  it('should get the proposals back through --json-schema and add the checked ones to the board as proposed', { timeout: 180_000 }, async () => {
    await using tmp = await makeTempDir('scout-claude-');
    await using hub = await startScoutHub(tmp.path);
    const { repo } = await makeScoutRepo(tmp.path);
    const home = join(tmp.path, 'claude-home');
    await mkdir(home);
    const proposals = [
      {
        title: 'Fix sum() for negative numbers',
        body: 'The negatives test fails.',
        tags: ['tests'],
        priority: 'high',
        evidence: [{ path: 'command:tests', line: null, quote: 'not ok 2 - sum handles negatives: expected -1, got 1' }],
      },
      { title: 'Set STRIPE_KEY in the Vercel project settings', body: 'Payments need it.', tags: [], priority: 'high', evidence: [{ path: '.env', line: 1, quote: 'STRIPE_KEY=' }] },
    ];
    await using api = await startFakeAnthropic([{ text: 'Proposing.', toolUses: [{ name: 'StructuredOutput', input: { proposals } }] }]);
    const env = claudeEnv({ home, baseUrl: api.url, apiKey: API_KEY });
    const argvs: string[][] = [];
    // As the hub's dispatch runs it through cb: the model flag always, --json-schema when asked; the final answer is `result`.
    const runJob = async (request: FlowJobRequest): Promise<RunJobResult> => {
      await seedClaudeHome(home, { apiKey: API_KEY, cwd: request.worktreePath });
      const args = ['-p', request.prompt, '--output-format', 'json', '--model', request.model, '--permission-mode', 'acceptEdits'];
      if (request.jsonSchema !== undefined) args.push('--json-schema', JSON.stringify(request.jsonSchema));
      argvs.push(args);
      const run = await runProcess({ command: claudeBin(), args, cwd: request.worktreePath, env, timeoutMs: 60_000 });
      const result = ResultLineSchema.parse(JSON.parse(run.stdout));
      if (run.exitCode !== 0 || result.is_error) return { ok: false, failure: { kind: 'task', message: result.result ?? run.stderr }, jobId: result.session_id };
      return { ok: true, summary: result.result, jobId: result.session_id };
    };
    const config = DirectorConfigSchema.parse({ repos: [{ name: 'api', path: repo, base: 'main' }], models: { ladder: ['haiku'] }, scout: { commands: { tests: 'sh test/sum.test.sh' } } });
    const record = openScoutRecord(join(tmp.path, 'state', 'scout.db'));
    const flows = openFlowLedger(join(tmp.path, 'state', 'flows.db'));
    try {
      const report = await runScout({ config, stateDir: join(tmp.path, 'state'), runJob, board: hub.board, record, flows });
      const [scouted] = report.repos;
      expect(scouted).toMatchObject({ outcome: 'proposed', reason: null });
      expect(scouted!.proposed.map((p) => [p.title, p.evidence.map((e) => e.mark)])).toEqual([['[api] Fix sum() for negative numbers', ['verified']]]);
      // The unverified request to change outside configuration is flagged as such and dropped.
      expect(scouted!.skipped).toEqual([expect.objectContaining({ why: 'unverified', reason: 'no quote checked out (.env:1: external_unverified: .env does not exist in the worktree)' })]);
      expect((await hub.board.listTasks()).map((t) => [t.title, t.status])).toEqual([['[api] Fix sum() for negative numbers', 'proposed']]);
      expect(argvs).toHaveLength(1);
      expect(argvs[0]![argvs[0]!.indexOf('--model') + 1]).toBe('haiku');
      expect(JSON.parse(argvs[0]![argvs[0]!.indexOf('--json-schema') + 1]!)).toMatchObject({ required: ['proposals'] });
      const main = api.requests.filter((r) => r.kind === 'main');
      expect(main).toHaveLength(1);
      expect(JSON.stringify(main[0]!.body)).toContain('not ok 2 - sum handles negatives');
    } finally {
      record.close();
      await flows.close();
    }
  });
});
