import { afterEach, describe, expect, it } from 'vitest';
import { unifiedRateLimitHeaders, type AnthropicScenario } from '@flotilla/testkit';
import { startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.[Symbol.asyncDispose]();
  h = undefined;
});

const error = (status: number, type: string, message: string, extra: object = {}): AnthropicScenario => [{ status, type, message, repeat: 'forever', ...extra }];

describe('failure classification end to end (real Claude Code output)', () => {
  it.each([
    ['auth_failed', error(401, 'authentication_error', 'invalid x-api-key')],
    ['billing', error(400, 'invalid_request_error', 'Your credit balance is too low to access the Anthropic API.')],
    ['model_not_found', error(404, 'not_found_error', 'model: claude-sonnet-5')],
  ] as const)('should fail at once with %s, never retry, and refuse the next job until cb doctor passes', async (kind, scenario) => {
    h = await startHarness({ anthropic: scenario });
    const job = await h.waitEnded((await h.createJob({ prompt: 'anything' })).id);
    expect(job.status).toBe('failed');
    expect(job.failure?.kind).toBe(kind);
    expect(job.attempts).toHaveLength(1);
    await expect(h.createJob({ prompt: 'again' })).rejects.toMatchObject({ code: 'AGENT_CANNOT_AUTHENTICATE' });
  });

  it('should retry an overloaded provider without consuming an attempt, then give up as dead', async () => {
    h = await startHarness({ anthropic: error(529, 'overloaded_error', 'Overloaded'), config: { maxInfraRetries: 1 } });
    const job = await h.waitEnded((await h.createJob({ prompt: 'anything' })).id);
    expect(job.status).toBe('dead');
    expect(job.failure?.kind).toBe('overloaded');
    expect(job.attempts).toHaveLength(2);
    expect(job.attemptsUsed).toBe(0);
    expect(job.attempts.every((a) => !a.consumedAttempt)).toBe(true);
  });

  it('should classify a subscription limit with its reset time and pause every queued job of that credential', async () => {
    const resetsAt = Math.floor(Date.now() / 1000) + 3600;
    h = await startHarness({ anthropic: [{ status: 429, type: 'rate_limit_error', message: 'limit', headers: unifiedRateLimitHeaders({ resetsAt }), repeat: 'forever' }] });
    const { ANTHROPIC_API_KEY: _drop, ...shell } = Object.fromEntries(Object.entries(h.env).filter(([k]) => /^(ANTHROPIC_|CLAUDE_|DISABLE_|IS_SANDBOX)/.test(k)));
    const clientEnv = { ...shell, CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-test-token-0123456789' };
    const first = await h.createJob({ prompt: 'first', clientEnv });
    await h.waitEnded(first.id, 20_000).catch(() => undefined);
    const waiting = await h.client.waitJob(first.id, { timeoutMs: 100 });
    expect(waiting.status).toBe('retry_wait');
    expect(waiting.failure?.kind).toBe('rate_limited');
    expect(waiting.failure?.resetsAt).toBe(new Date(resetsAt * 1000).toISOString());
    expect(Date.parse(waiting.retryAt!)).toBeGreaterThanOrEqual(resetsAt * 1000);
    const pauses = await h.client.pauses();
    expect(pauses).toHaveLength(1);
    const second = await h.createJob({ prompt: 'second', clientEnv });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await h.client.getJob(second.id)).status).toBe('queued');
    expect(h.anthropic.requests.filter((r) => r.kind === 'main')).toHaveLength(1);
  });

  it('should count permission denials as the task failing, consuming the attempt', async () => {
    h = await startHarness({ anthropic: [{ text: 'Writing.', toolUses: [{ name: 'Write', input: { file_path: 'x.txt', content: 'x' } }] }, { text: 'Could not write.' }] });
    const job = await h.waitEnded((await h.createJob({ prompt: 'write x', permissions: 'allowlist', attempts: 1 })).id);
    expect(job.status).toBe('failed');
    expect(job.failure?.kind).toBe('permission_denied');
    expect(job.attempts[0]?.consumedAttempt).toBe(true);
  });

  it('should refuse at once a job whose agent cannot authenticate, with the fix in words', async () => {
    h = await startHarness();
    const refused = h.createJob({ prompt: 'x', clientEnv: { ANTHROPIC_BASE_URL: h.anthropic.url } });
    await expect(refused).rejects.toMatchObject({ code: 'AGENT_CANNOT_AUTHENTICATE' });
    await expect(refused).rejects.toHaveProperty('fix', expect.stringContaining('ANTHROPIC_API_KEY'));
    expect((await h.client.listJobs()).items).toEqual([]);
  });

  it('should classify a quick non-zero exit of a custom agent as fast_fail and a hung one as timeout', async () => {
    h = await startHarness({
      config: {
        maxInfraRetries: 0,
        agents: {
          broken: { argv: ['sh', '-c', 'echo boom >&2; exit 3'], promptVia: 'stdin', outputFormat: 'text' },
          sleeper: { argv: ['sh', '-c', 'sleep 30'], promptVia: 'stdin', outputFormat: 'text' },
        },
      },
    });
    const broken = await h.waitEnded((await h.createJob({ prompt: 'x', agent: 'broken' })).id);
    expect(broken.status).toBe('dead');
    expect(broken.failure?.kind).toBe('fast_fail');
    const sleeper = await h.waitEnded((await h.createJob({ prompt: 'x', agent: 'sleeper', timeoutMs: 1000, attempts: 1 })).id);
    expect(sleeper.status).toBe('failed');
    expect(sleeper.failure).toMatchObject({ kind: 'timeout' });
  });

  it('should stop a job at its wall-clock timeout and take its tokens from the agent transcript', async () => {
    h = await startHarness({
      anthropic: [{ text: 'Writing.', toolUses: [{ name: 'Write', input: { file_path: 'a.txt', content: 'a' } }], usage: { input_tokens: 500, output_tokens: 77 } }, { hang: true }],
    });
    // 12 s: Claude's first turn (whose tokens the test reads) must land before the wall clock, even on a loaded machine.
    const job = await h.waitEnded((await h.createJob({ prompt: 'slow', timeoutMs: 12_000, attempts: 1 })).id);
    expect(job.status).toBe('failed');
    expect(job.failure).toMatchObject({ kind: 'timeout', timeout: 'wall' });
    expect(job.usage.outputTokens).toBe(77);
  });

  it('should accept a structured answer that matches --json-schema and fail (and retry) one that does not', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'] };
    h = await startHarness({
      anthropic: [
        { text: 'ok', toolUses: [{ name: 'StructuredOutput', input: { answer: 42 } }] },
        { text: 'plain prose, no structured answer' },
        { text: 'still prose' },
      ],
    });
    const good = await h.waitEnded((await h.createJob({ prompt: 'json please', jsonSchema: schema })).id);
    expect(good.status).toBe('succeeded');
    expect(JSON.parse(good.result!)).toEqual({ answer: 42 });
    const bad = await h.waitEnded((await h.createJob({ prompt: 'json please', jsonSchema: schema, attempts: 1 })).id);
    expect(bad.status).toBe('failed');
    expect(bad.failure).toMatchObject({ kind: 'task', message: expect.stringContaining('--json-schema') });
  });

  it('should take a failed Codex run\'s tokens from its rollout file', async () => {
    h = await startHarness({
      openai: [{ text: 'Running.', toolUses: [{ name: 'exec_command', input: { cmd: 'echo hi' } }] }, { status: 500, type: 'server_error', message: 'boom', repeat: 'forever' }],
      config: { maxInfraRetries: 0, models: { claude: 'sonnet', codex: 'gpt-fake' } },
    });
    const job = await h.waitEnded((await h.createJob({ prompt: 'x', agent: 'codex' })).id);
    expect(job.status).toBe('dead');
    expect(job.failure?.kind).toBe('overloaded');
    expect(job.usage.inputTokens + job.usage.cacheReadTokens).toBeGreaterThan(0);
    expect(job.usage.outputTokens).toBeGreaterThan(0);
  });
});
