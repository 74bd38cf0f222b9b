import { describe, expect, it } from 'vitest';
import { formatConfigIssue, parseConfig } from '../config/load-config.js';
import { scoutPlanOf } from './scout-plan.js';

const base = 'repos: [{name: api, path: /src/api, base: main}, {name: web, path: /src/web, base: main}]\n';

describe('scout: in flotilla.yaml', () => {
  it('should default everything but the commands, and give a repo its own commands', () => {
    const parsed = parseConfig(`${base}scout:\n  commands: {tests: pnpm test, outdated: {command: pnpm outdated --format json, timeoutMinutes: 2}}\n  commandsByRepo: {web: {tests: npm test}}\n`);
    if (!parsed.ok) throw new Error(parsed.issues.map(formatConfigIssue).join('\n'));
    expect(parsed.config.scout).toEqual({
      commands: { tests: 'pnpm test', outdated: { command: 'pnpm outdated --format json', timeoutMinutes: 2 } },
      commandsByRepo: { web: { tests: 'npm test' } },
      todos: { enabled: true, markers: ['TODO', 'FIXME', 'HACK', 'XXX'] },
      maxProposals: 5,
      maxPending: 10,
      everyHours: 24,
      tags: ['scout'],
    });
    const planned = scoutPlanOf(parsed.config);
    if (!planned.ok) throw new Error(planned.problems.join('\n'));
    expect(planned.plan.repos.map((r) => [r.repo.name, r.commands])).toEqual([
      ['api', [{ name: 'tests', command: 'pnpm test', timeoutMinutes: 10 }, { name: 'outdated', command: 'pnpm outdated --format json', timeoutMinutes: 2 }]],
      ['web', [{ name: 'tests', command: 'npm test', timeoutMinutes: 10 }]],
    ]);
    expect([planned.plan.flowName, planned.plan.proposalStep]).toEqual(['scout', 'scout']);
  });

  it('should report every problem in words: a bad field on its place, an unknown repo or flow, a flow without a work step', () => {
    const bad = parseConfig(`${base}scout: {everyHours: -1, commands: {Tests: x}, maxProposals: 50}\n`);
    expect(bad.ok ? [] : bad.issues.map(formatConfigIssue)).toEqual([
      'scout → commands → Tests: must be a lower-case name (tests, lint, outdated…), at most 32 characters',
      'scout → maxProposals: must be at most 20',
      // load-config's wording for any too_small (positive() is an exclusive minimum: 0 is refused too).
      'scout → everyHours: must be more than 0',
    ]);
    // scoutPlanOf's problems refuse the config where it is loaded (load-config's cross-check).
    const refused = parseConfig(`${base}flows: {review-only: [{kind: review, name: r, prompt: x}]}\nscout: {repos: [api, mobile], flow: review-only}\n`);
    expect(refused.ok ? [] : refused.issues.map(formatConfigIssue)).toEqual([
      'scout: "mobile" is not one of the repos (api, web)',
      'scout: flow "review-only" has no work step: its last work step\'s answer holds the proposals',
    ]);
    const parsed = parseConfig(`${base}flows: {review-only: [{kind: review, name: r, prompt: x}]}\n`);
    if (!parsed.ok) throw new Error(parsed.issues.map(formatConfigIssue).join('\n'));
    expect(scoutPlanOf({ ...parsed.config, scout: undefined }, { repo: 'ios' })).toEqual({ ok: false, problems: ['--repo ios: not one of the repos (api, web)'] });
  });
});
