import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfigIssue, loadConfig, parseConfig } from './load-config.js';
import { routeTicket } from './routing.js';
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

describe('parseConfig', () => {
  it('should accept the smallest config and fill in every default', () => {
    const config = valid('repos: [{name: api, path: ./api, base: main}]');
    expect(config).toEqual({
      repos: [{ name: 'api', path: '/srv/api', base: 'main', hosts: [], labels: [], keywords: [] }],
      routing: { keywords: [] },
      cycle: { everySeconds: 120 },
      attempts: 3,
      models: { agent: 'claude', ladder: ['sonnet', 'sonnet', 'opus'] },
      concurrency: { perHost: 2, perRepo: 2 },
      batch: { size: 1 },
      github: { apiUrl: 'https://api.github.com', tokenEnv: 'GITHUB_TOKEN' },
      sources: { board: { holder: 'director', leaseMinutes: 30, reviewTo: 'review' } },
    });
  });

  it('should fill source defaults when a source is named', () => {
    const config = valid(`
repos: [{name: api, path: /src/api, base: main, github: acme/api}]
sources:
  github: {repos: [acme/tickets], label: agent}
  linear: {team: ENG}
`);
    expect(config.sources.github).toEqual({ repos: ['acme/tickets'], label: 'agent', inProgressLabel: 'flotilla:in-progress', inReviewLabel: 'flotilla:in-review' });
    expect(config.sources.linear).toMatchObject({ team: 'ENG', states: ['Todo'], inProgressState: 'In Progress', tokenEnv: 'LINEAR_API_KEY' });
  });

  it('should say where each problem is, naming repos by their name', () => {
    expect(problems('repos: [{name: api, path: /a, base: main}, {name: web, path: /w}]')).toEqual([
      'repos[1] ("web") → base: required, but missing (expected string)',
    ]);
    expect(problems('repos: []')).toEqual(['repos: needs at least 1 item']);
    expect(problems('repos: [{name: api, path: /a, base: main, bases: dev}]\nattempts: 0')).toEqual([
      'repos[0] ("api"): unknown key "bases"',
      'attempts: must be at least 1',
    ]);
    expect(problems('{}')).toEqual(['repos: required, but missing (expected array)']);
  });

  it('should refuse duplicate repo names and routing rules naming unknown repos', () => {
    expect(
      problems(`
repos: [{name: api, path: /a, base: main}, {name: api, path: /b, base: main}]
routing: {keywords: [{repo: mobile, words: [ios]}]}
`),
    ).toEqual([
      'repos[1] ("api") → name: "api" is used by an earlier repo; names must be unique',
      'routing → keywords[0] → repo: "mobile" is not one of the repos (api)',
    ]);
  });

  it('should refuse a scout naming an unknown repo or flow at load time, and say "more than" for a positive number', () => {
    expect(problems('repos: [{name: api, path: /a, base: main}]\nscout: {repos: [web], flow: nightly}')).toEqual([
      'scout: "web" is not one of the repos (api)',
      'scout: flow: "nightly" is not a flow (no flows are defined under flows:)',
    ]);
    expect(problems('repos: [{name: api, path: /a, base: main}]\nlearnings: {consolidateEveryHours: 0}')).toEqual([
      'learnings → consolidateEveryHours: must be more than 0',
    ]);
  });

  it('should report YAML syntax errors with their line', () => {
    const [issue] = problems('repos: [{name: api\n  path: x');
    expect(issue).toMatch(/^line \d+, column \d+: not valid YAML/);
  });

  it('should report a missing file as an issue, not a throw', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'director-config-'));
    try {
      const missing = await loadConfig(join(dir, 'flotilla.yaml'));
      expect(missing.ok).toBe(false);
      writeFileSync(join(dir, 'flotilla.yaml'), 'repos: [{name: api, path: api, base: main}]\n');
      const loaded = await loadConfig(join(dir, 'flotilla.yaml'));
      expect(loaded.ok && loaded.config.repos[0]?.path).toBe(join(dir, 'api'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('routeTicket', () => {
  const config = valid(`
repos:
  - {name: api, path: /a, base: main, labels: [backend], keywords: [endpoint]}
  - {name: web, path: /w, base: main, keywords: [css]}
  - {name: mobile, path: /m, base: main}
routing: {keywords: [{repo: mobile, words: [ios, android]}]}
`);
  const route = (title: string, labels: string[] = [], body = '') => {
    const decision = routeTicket({ title, body, labels }, config);
    return decision.routed ? `${decision.repo.name} by ${decision.by}` : `skipped: ${decision.reason}`;
  };

  it('should route an explicit [repo] prefix first, whatever the labels say', () => {
    expect(route('[web] fix the header', ['backend'])).toBe('web by prefix');
    expect(route('[API] add an endpoint')).toBe('api by prefix');
  });

  it('should skip a prefix naming an unknown repo rather than fall through', () => {
    expect(route('[billing] invoices', ['backend'])).toBe('skipped: the title names [billing], which is not a configured repo (api, web, mobile)');
  });

  it('should route by label, then by keyword, and skip ambiguity', () => {
    expect(route('slow query', ['Backend'])).toBe('api by label');
    expect(route('slow query', ['backend', 'web'])).toBe('skipped: labels match several repos (backend → api, web → web)');
    expect(route('crash on iOS 18')).toBe('mobile by keyword');
    expect(route('new endpoint', [], 'and some css')).toBe('skipped: keywords match several repos (endpoint → api, css → web)');
    expect(route('biosphere')).toMatch(/^skipped: no \[repo\] prefix/);
  });
});
