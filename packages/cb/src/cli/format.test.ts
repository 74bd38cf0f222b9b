import { describe, expect, it } from 'vitest';
import { formatJobDetail, formatJobTable, shortIds } from './format/job.js';
import { renderTable, truncate } from './format/table.js';
import { formatTranscript } from './format/transcript.js';
import { formatSessionTable } from './format/session.js';
import { sampleSession } from '../store/store-contract.js';
import { NOW, makeAttempt, makeJob, minutesAgo } from './testing.js';

const JOBS = [
  makeJob({ id: '01JZ8Q7W3MAAAAAAAAAAAAAAAA' }),
  makeJob({
    id: '01JZ8Q7W3MBBBBBBBBBBBBBBBB',
    status: 'running',
    agent: 'codex',
    model: null,
    host: 'mac',
    prompt: 'add rate limiting to every public endpoint of the API, with tests and docs',
    createdAt: minutesAgo(3),
    startedAt: minutesAgo(2.5),
    endedAt: null,
    durationMs: null,
    cost: { usd: 0, source: 'unknown' },
  }),
  makeJob({ id: '01JZ8QAAAAAAAAAAAAAAAAAAAA', status: 'failed', createdAt: minutesAgo(60 * 26), cost: { usd: 12.5, source: 'price_table' } }),
];

describe('formatJobTable', () => {
  it('should show id, status, agent, model, host, age, duration, cost and the first prompt line', () => {
    expect('\n' + formatJobTable(JOBS, { now: NOW, width: 200 })).toMatchInlineSnapshot(`
      "
      ID           STATUS     AGENT   MODEL   HOST    AGE  DURATION    COST  PROMPT
      01JZ8Q7W3MA  succeeded  claude  sonnet  dragon  12m    2m 00s  $0.042  refactor the auth module
      01JZ8Q7W3MB  running    codex   -       mac      3m    2m 30s       -  add rate limiting to every public endpoint of the API, with tests and docs
      01JZ8QAAAA   failed     claude  sonnet  dragon   1d    2m 00s  $12.50  refactor the auth module"
    `);
  });

  it('should cut the prompt to the terminal width', () => {
    const lines = formatJobTable(JOBS, { now: NOW, width: 90 }).split('\n');
    expect(lines[2]).toMatchInlineSnapshot(`"01JZ8Q7W3MB  running    codex   -       mac      3m    2m 30s       -  add rate limiting …"`);
    expect(Math.max(...lines.map((l) => l.length))).toBe(90);
  });
});

describe('shortIds', () => {
  it('should use 10 characters unless two ids share them', () => {
    expect([...shortIds(JOBS.map((j) => j.id)).values()]).toEqual(['01JZ8Q7W3MA', '01JZ8Q7W3MB', '01JZ8QAAAA']);
  });
});

describe('renderTable', () => {
  it('should align right-aligned columns and never pad the last one', () => {
    const rows = [{ a: 'x', n: '1' }, { a: 'longer', n: '1234' }];
    const text = renderTable(rows, [{ header: 'NAME', value: (r) => r.a }, { header: 'N', value: (r) => r.n, align: 'right' }], 80);
    expect(text).toMatchInlineSnapshot(`
      "NAME       N
      x          1
      longer  1234"
    `);
    expect(truncate('abcdef', 4)).toBe('abc…');
  });
});

describe('formatJobDetail', () => {
  it('should show the failure in words, every attempt with its failure, tokens, cost, branch and changed files', () => {
    const job = makeJob({
      status: 'failed',
      failure: { kind: 'rate_limited', message: 'API Error: 429 rate_limit_error', resetsAt: '2026-01-02T05:00:00.000Z' },
      result: null,
      worktree: {
        path: '/root/.flotilla/worktrees/01JZ8Q7W3M-auth',
        branch: 'flotilla/01JZ8Q7W3M-refactor-auth',
        base: 'main',
        baseCommit: '3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a',
        repoRoot: '/work/repo',
        changedFiles: ['src/auth/index.ts', 'src/auth/session.ts'],
        removed: false,
      },
      tags: ['auth'],
      attempts: [
        makeAttempt({ status: 'failed', failure: { kind: 'task', message: 'tests failed\nmore' } }),
        makeAttempt({
          n: 2,
          reason: 'retry',
          model: 'opus',
          status: 'failed',
          failure: { kind: 'rate_limited', message: 'API Error: 429 rate_limit_error' },
          startedAt: minutesAgo(5),
          endedAt: minutesAgo(4),
        }),
      ],
      attemptsUsed: 2,
      infraRetries: 1,
    });
    expect(formatJobDetail(job, { now: NOW })).toMatchInlineSnapshot(`
      "id           01JZ8Q7W3MAAAAAAAAAAAAAAAA
      status       failed (unread)
      failure      rate limited: the model provider rate-limited this credential
                   API Error: 429 rate_limit_error
                   resets at 2026-01-02T05:00:00.000Z
      agent        claude (sonnet)
      host         dragon
      cwd          /work/repo
      permissions  accept-edits
      branch       flotilla/01JZ8Q7W3M-refactor-auth (from main)
      worktree     /root/.flotilla/worktrees/01JZ8Q7W3M-auth
      changed      src/auth/index.ts
                   src/auth/session.ts
      session      5d7c2a8e-0f43-4b1e-9d7a-3c2b1a0f9e8d
      tokens       input 1,200 · output 345 · cache read 45,000 · cache write 3,000
      cost         $0.042 (reported by the agent)
      duration     2m 00s
      created      2026-01-02T02:52:05.000Z (12m ago)
      tags         auth
      attempts     2 of 3 used, 1 infrastructure retries
        #1  failed  new  sonnet  2m 00s  $0.042  task: the agent ran and reported an error — tests failed
        #2  failed  retry  opus  1m 00s  $0.042  rate limited: the model provider rate-limited this credential — API Error: 429 rate_limit_error

      prompt
        refactor the auth module
        keep the public API"
    `);
  });
});

describe('formatTranscript', () => {
  it('should render text, tool calls and results, edits, commands and the final answer', () => {
    const text = formatTranscript([
      { type: 'text', at: 0, text: 'Looking at the auth module.' },
      { type: 'tool_call', at: 1, id: 't1', tool: 'Read', input: { file_path: 'src/auth.ts' } },
      { type: 'tool_result', at: 2, id: 't1', output: 'export function login() {}', isError: false },
      { type: 'edit', at: 3, path: 'src/auth.ts', diff: '@@ -1 +1 @@\n-export function login() {}\n+export async function login() {}' },
      { type: 'command', at: 4, command: 'npm test', output: 'ok 1\nok 2', exitCode: 1 },
      { type: 'tool_result', at: 5, id: 't2', output: 'permission denied', isError: true },
      { type: 'notice', at: 6, text: 'rate limited; retrying at 05:00' },
      { type: 'final', at: 7, text: 'Made login async.', isError: false },
    ]);
    expect(text).toMatchInlineSnapshot(`
      "Looking at the auth module.

      ▸ Read src/auth.ts

        ↳ export function login() {}

      ✎ src/auth.ts
      @@ -1 +1 @@
      -export function login() {}
      +export async function login() {}

      $ npm test (exit 1)
        ok 1
        ok 2

        ✘ permission denied

      · rate limited; retrying at 05:00

      ── final answer ──
      Made login async."
    `);
  });
});

describe('formatSessionTable', () => {
  it('should mark discovered sessions external and say how often the watchdog restarted one', () => {
    const since = new Date(NOW - 192_000).toISOString();
    const sessions = [
      sampleSession({ name: 'reviewer', state: 'waiting_permission', since, waitingFor: 'Bash: rm -rf build', restarts: 2 }),
      sampleSession({ name: 'found', state: 'working', since, external: true }),
    ];
    const [header, first, second] = formatSessionTable(sessions, { now: NOW, width: 160 }).split('\n');
    expect(header).toMatch(/^NAME\s+STATE\s+AGENT/);
    expect(first).toMatch(/^reviewer \(restarted 2×\)\s+waiting_permission 3m12s .*Bash: rm -rf build$/);
    expect(second).toMatch(/^found \(external\)\s+working 3m12s/);
  });
});
