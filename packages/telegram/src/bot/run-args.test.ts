import { describe, expect, it } from 'vitest';
import { parseRunArgs } from './run-args.js';

describe('parseRunArgs', () => {
  it('should take options from the start and the end, keeping the prompt as typed', () => {
    expect(parseRunArgs('@dragon #api model:opus worktree fix the flaky test')).toEqual({
      ok: true,
      value: { prompt: 'fix the flaky test', host: 'dragon', repo: 'api', model: 'opus', worktree: true },
    });
    expect(parseRunArgs('fix it\nthen  test it #web worktree')).toEqual({ ok: true, value: { prompt: 'fix it\nthen  test it', repo: 'web', worktree: true } });
  });

  it('should leave option-like words in the middle of the prompt alone', () => {
    expect(parseRunArgs('clean up the worktree code and ask @alice')).toEqual({ ok: true, value: { prompt: 'clean up the worktree code and ask', host: 'alice', worktree: false } });
    expect(parseRunArgs('explain why model:x fails here')).toEqual({ ok: true, value: { prompt: 'explain why model:x fails here', worktree: false } });
  });

  it('should refuse an empty prompt and a repeated option', () => {
    expect(parseRunArgs('@dragon worktree')).toEqual({ ok: false, issue: 'the prompt is empty' });
    expect(parseRunArgs('@a @b do it')).toEqual({ ok: false, issue: '@b: host given twice' });
  });
});
