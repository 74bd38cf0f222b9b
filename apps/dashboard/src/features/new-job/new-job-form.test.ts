import { describe, expect, it } from 'vitest';
import type { Repo } from '@flotilla/protocol';
import { buildRequest, defaultAgent, defaultRepo, EMPTY_FORM, modelSuggestions, parseTags } from './new-job-form';

describe('buildRequest', () => {
  it('should send only what was chosen, as cb "…" does', () => {
    expect(buildRequest({ ...EMPTY_FORM, prompt: 'fix the test', agent: 'claude' }, 'k1')).toEqual({ ok: true, request: { prompt: 'fix the test', agent: 'claude', idempotencyKey: 'k1' } });
    const full = buildRequest({ ...EMPTY_FORM, prompt: 'p', agent: 'codex', model: ' gpt-5 ', cwd: '/repo', worktree: true, base: 'main', branch: '', permissions: 'bypass', tags: 'a, b,a,, c ' });
    expect(full).toEqual({ ok: true, request: { prompt: 'p', agent: 'codex', model: 'gpt-5', cwd: '/repo', permissions: 'bypass', worktree: true, base: 'main', tags: ['a', 'b', 'c'] } });
  });

  it('should leave base and branch out without a worktree', () => {
    expect(buildRequest({ ...EMPTY_FORM, prompt: 'p', base: 'main', branch: 'x' })).toEqual({ ok: true, request: { prompt: 'p' } });
  });

  it('should refuse in words what the daemon would refuse', () => {
    expect(buildRequest({ ...EMPTY_FORM, prompt: '  ' })).toEqual({ ok: false, error: 'Write a prompt first.' });
    expect(buildRequest({ ...EMPTY_FORM, prompt: 'p', permissions: 'bypass' })).toMatchObject({ ok: false, error: expect.stringMatching(/only allowed in a worktree/) });
    expect(buildRequest({ ...EMPTY_FORM, prompt: 'p', agent: 'Bad Agent' })).toMatchObject({ ok: false, error: expect.stringMatching(/^agent: /) });
    expect(buildRequest({ ...EMPTY_FORM, prompt: 'p', tags: 'x'.repeat(65) })).toMatchObject({ ok: false, error: expect.stringMatching(/^tags\.0: /) });
  });
});

describe('choices', () => {
  it('should suggest claude models, prefer claude, and propose the busiest repository', () => {
    expect(modelSuggestions('claude')).toEqual(['sonnet', 'opus', 'haiku']);
    expect(modelSuggestions('codex')).toEqual([]);
    expect(defaultAgent(['codex', 'claude'])).toBe('claude');
    expect(defaultAgent(['codex'])).toBe('codex');
    expect(defaultAgent([])).toBe('');
    const repo = (root: string, jobs: number) => ({ root, jobs, host: 'h', worktrees: [] }) as Repo;
    expect(defaultRepo([repo('/a', 1), repo('/b', 5)])).toBe('/b');
    expect(defaultRepo([])).toBe('');
    expect(parseTags(' , ')).toEqual([]);
  });
});
