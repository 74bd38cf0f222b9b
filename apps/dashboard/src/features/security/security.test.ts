import { describe, expect, it } from 'vitest';
import type { DoctorCheck } from '@flotilla/protocol';
import { readDoctor } from './security';

const check = (name: string, ok: boolean, fix: string | null = ok ? null : `fix ${name}`): DoctorCheck => ({ name, ok, detail: name, fix });

describe('readDoctor', () => {
  it('should say per agent whether it can authenticate, and list what needs fixing, missing CLIs last', () => {
    const report = {
      host: 'a',
      ok: false,
      checks: [
        check('tmux', true),
        check('git', false),
        check('claude CLI', true),
        check('claude credential', true),
        check('codex CLI', true),
        check('codex credential', false),
        check('gemini CLI', false),
      ],
    };
    const view = readDoctor(report, ['claude', 'codex', 'gemini', 'aider']);
    expect(view.agents.map((a) => [a.agent, a.state, a.checks.length])).toEqual([
      ['claude', 'ready', 2],
      ['codex', 'broken', 2],
      ['gemini', 'not_installed', 1],
      ['aider', 'not_installed', 0],
    ]);
    expect(view.tools.map((c) => c.name)).toEqual(['tmux', 'git']);
    expect(view.toFix.map((c) => c.name)).toEqual(['git', 'codex credential', 'gemini CLI']);
  });

  it('should add agents only the checks name, and call one broken when its last run failed', () => {
    const view = readDoctor({ host: 'a', ok: false, checks: [check('claude CLI', true), check('claude credential', true), check('claude last run', false)] }, []);
    expect(view.agents).toMatchObject([{ agent: 'claude', state: 'broken' }]);
  });
});
