import { describe, expect, it } from 'vitest';
import type { DoctorCheck } from '@flotilla/protocol';
import { readDoctor, telegramWords } from './security';

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

describe('telegramWords', () => {
  const proc = { name: 'telegram', running: true, pid: 7, restarts: 0, startedAt: '2026-11-25T00:00:00.000Z', lastExit: null, lastError: null };
  const bot = { configured: true, username: 'fleet_bot', allowedUsers: [42], mode: 'polling' as const, problem: null };

  it('should say a running bot answers by long polling under its name', () => {
    expect(telegramWords({ installed: true, process: proc, bot })).toEqual({ label: 'running', tone: 'good', detail: '@fleet_bot answers by long polling.' });
  });

  it('should give the bot’s own reason when it is not configured, whatever its process did', () => {
    const words = telegramWords({ installed: true, process: { ...proc, running: false, lastExit: 'exit 78' }, bot: { ...bot, configured: false, allowedUsers: [], problem: 'the allowlist is empty' } });
    expect(words).toMatchObject({ label: 'not configured', detail: 'the allowlist is empty' });
  });

  it('should show a bot that keeps failing as restarting, with its last words and restarts', () => {
    const words = telegramWords({ installed: true, process: { ...proc, running: false, restarts: 3, lastExit: 'exit 1', lastError: '401 Unauthorized' }, bot });
    expect(words).toEqual({ label: 'restarting', tone: 'bad', detail: 'It stopped (401 Unauthorized) and was started again 3 times.' });
  });

  it('should say the bot is not running when the server runs none', () => {
    expect(telegramWords({ installed: true, process: null, bot }).label).toBe('not running');
  });
});
