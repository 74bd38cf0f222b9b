import { describe, expect, it } from 'vitest';
import { formatConfigIssue, parseConfig } from './load-config.js';
import { resolveFlow } from '../flow/flow-definition.js';
import type { DirectorConfig } from './config-schema.js';

function valid(text: string): DirectorConfig {
  const result = parseConfig(text, { baseDir: '/srv' });
  if (!result.ok) throw new Error(result.issues.map(formatConfigIssue).join('\n'));
  return result.config;
}

function problems(text: string): string[] {
  const result = parseConfig(text, { baseDir: '/srv' });
  if (result.ok) throw new Error('expected the config to be refused');
  return result.issues.map(formatConfigIssue);
}

const FLOWS = `
repos: [{name: api, path: ./api, base: main, flow: implement-review}]
flows:
  implement-review:
    - {kind: work, name: implement, prompt: You implement the task.}
    - kind: loop
      name: review-fix
      until: approved
      steps:
        - {kind: review, name: review, agent: codex, model: gpt-5-codex, prompt: Review adversarially.}
        - {kind: work, name: fix, agent: claude, model: opus, prompt: Fix what the review found.}
    - {kind: command, name: tests, command: pnpm test}
    - {kind: review, name: challenge, agent: codex, model: gpt-5-codex, prompt: Final challenge., attempts: 2}
`;

describe('flows in flotilla.yaml', () => {
  it('should parse a flow with its defaults, and leave the smallest config without flows', () => {
    const config = valid(FLOWS);
    expect(config.repos[0]!.flow).toBe('implement-review');
    expect(config.flows?.['implement-review']).toEqual([
      { kind: 'work', name: 'implement', prompt: 'You implement the task.', attempts: 1 },
      {
        kind: 'loop',
        name: 'review-fix',
        until: 'approved',
        maxRounds: 3,
        steps: [
          { kind: 'review', name: 'review', agent: 'codex', model: 'gpt-5-codex', prompt: 'Review adversarially.', attempts: 1 },
          { kind: 'work', name: 'fix', agent: 'claude', model: 'opus', prompt: 'Fix what the review found.', attempts: 1 },
        ],
      },
      { kind: 'command', name: 'tests', command: 'pnpm test', timeoutMinutes: 30, allowFailure: false },
      { kind: 'review', name: 'challenge', agent: 'codex', model: 'gpt-5-codex', prompt: 'Final challenge.', attempts: 2 },
    ]);
    expect(valid('repos: [{name: api, path: ./api, base: main}]').flows).toBeUndefined();
  });

  it('should give a step without agent or model the config\'s agent and the ladder\'s first model', () => {
    const config = valid(FLOWS);
    const resolved = resolveFlow(config.flows!['implement-review']!, config.models);
    expect(resolved.ok && resolved.items[0]).toMatchObject({ name: 'implement', agent: 'claude', model: 'sonnet' });
  });

  it('should say where each flow problem is', () => {
    expect(problems('repos: [{name: api, path: /a, base: main, flow: nightly}]')).toEqual(['repos[0] ("api") → flow: "nightly" is not a flow (no flows are defined under flows:)']);
    expect(
      problems(`
repos: [{name: api, path: /a, base: main}]
flows:
  f:
    - {kind: work, name: a, prompt: p, model: m, agent: claude, extra: 1}
    - {kind: deploy, name: b}
    - {kind: loop, until: approved, maxRounds: 20, steps: [{kind: work, name: c, prompt: p}]}
    - {kind: loop, until: done, steps: [{kind: review, name: d, prompt: p}]}
    - {kind: command, name: e}
`),
    ).toEqual([
      'flows → f[0] ("a"): unknown key "extra"',
      "flows → f[1] (\"b\") → kind: Invalid discriminator value. Expected 'work' | 'review' | 'command' | 'loop'",
      'flows → f[2] → maxRounds: must be at most 10',
      'flows → f[2] → steps: a loop until approved needs a review step among its steps',
      'flows → f[3] → until: must be one of "approved"',
      'flows → f[4] ("e") → command: required, but missing (expected string)',
    ]);
  });

  it('should refuse repeated step names and an agent step of another agent without a model', () => {
    expect(
      problems(`
repos: [{name: api, path: /a, base: main}]
flows:
  f:
    - {kind: work, name: a, prompt: p}
    - {kind: loop, until: approved, steps: [{kind: review, name: a, agent: codex, prompt: p}]}
`),
    ).toEqual([
      'flows → f: step name "a" is used twice; names must be unique in a flow',
      'flows → f: step "a": model: required for agent "codex" (the default model, sonnet, is for claude)',
    ]);
  });
});
