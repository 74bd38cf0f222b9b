import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve, dirname } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { resolveFlow, stepsOf } from '../flow/flow-definition.js';
import { DirectorConfigSchema, type DirectorConfig } from './config-schema.js';
import { scoutPlanOf } from '../scout/scout-plan.js';

/** One problem in a config file: where (in words) and what. */
export interface ConfigIssue {
  /** `repos[1] ("web") → base`; empty for the whole file. */
  where: string;
  message: string;
}

export type ConfigResult = { ok: true; config: DirectorConfig } | { ok: false; issues: ConfigIssue[] };

/**
 * Parses and validates `flotilla.yaml` text. Relative repo paths are resolved against `baseDir`
 * (the config file's directory). Never throws for a bad file: every problem comes back as an issue.
 *
 * @example
 * const result = parseConfig('repos: [{name: api, path: ../api, base: main}]', { baseDir: '/home/me/src' });
 * if (!result.ok) for (const issue of result.issues) console.error(formatConfigIssue(issue));
 */
export function parseConfig(text: string, options: { baseDir?: string } = {}): ConfigResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { ok: false, issues: doc.errors.map((error) => ({ where: yamlPosition(error.linePos?.[0]), message: `not valid YAML: ${firstLine(error.message)}` })) };
  }
  const raw: unknown = doc.toJS() ?? {};
  const parsed = DirectorConfigSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((issue) => zodIssue(issue, raw)) };
  const issues = crossCheck(parsed.data);
  if (issues.length > 0) return { ok: false, issues };
  const baseDir = options.baseDir ?? process.cwd();
  const repos = parsed.data.repos.map((repo) => ({ ...repo, path: isAbsolute(repo.path) ? repo.path : resolve(baseDir, repo.path) }));
  return { ok: true, config: { ...parsed.data, repos } };
}

/** Reads and parses a config file; a missing or unreadable file is an issue too. */
export async function loadConfig(path: string): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, issues: [{ where: '', message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }] };
  }
  return parseConfig(text, { baseDir: dirname(resolve(path)) });
}

/** `repos[1] ("web") → base: required, but missing` — one line per issue. */
export function formatConfigIssue(issue: ConfigIssue): string {
  return issue.where === '' ? issue.message : `${issue.where}: ${issue.message}`;
}

/** Rules zod cannot express on one field: unique names, routing rules naming known repos. */
function crossCheck(config: DirectorConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const names = new Set<string>();
  config.repos.forEach((repo, index) => {
    if (names.has(repo.name)) issues.push({ where: `repos[${index}] ("${repo.name}") → name`, message: `"${repo.name}" is used by an earlier repo; names must be unique` });
    names.add(repo.name);
  });
  config.routing.keywords.forEach((rule, index) => {
    if (!names.has(rule.repo)) {
      issues.push({ where: `routing → keywords[${index}] → repo`, message: `"${rule.repo}" is not one of the repos (${[...names].join(', ')})` });
    }
  });
  issues.push(...flowIssues(config));
  if (config.scout !== undefined) {
    // Unknown scout repos or flows fail at load time, not at the first scout hours later.
    const scout = scoutPlanOf(config);
    if (!scout.ok) issues.push(...scout.problems.map((problem) => ({ where: 'scout', message: problem.replace(/^scout(:| →)\s*/, '') })));
  }
  return issues;
}

/** A repo's `flow:` names a defined flow; step names are unique in a flow; every agent step has a model. */
function flowIssues(config: DirectorConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const flows = config.flows ?? {};
  const flowNames = Object.keys(flows);
  config.repos.forEach((repo, index) => {
    if (repo.flow !== undefined && !(repo.flow in flows)) {
      const known = flowNames.length === 0 ? 'no flows are defined under flows:' : `defined: ${flowNames.join(', ')}`;
      issues.push({ where: `repos[${index}] ("${repo.name}") → flow`, message: `"${repo.flow}" is not a flow (${known})` });
    }
  });
  for (const [name, definition] of Object.entries(flows)) {
    const seen = new Set<string>();
    for (const { step } of stepsOf(definition)) {
      if (seen.has(step.name)) issues.push({ where: `flows → ${name}`, message: `step name "${step.name}" is used twice; names must be unique in a flow` });
      seen.add(step.name);
    }
    const resolved = resolveFlow(definition, config.models);
    if (!resolved.ok) issues.push(...resolved.problems.map((message) => ({ where: `flows → ${name}`, message })));
  }
  return issues;
}

function zodIssue(issue: z.core.$ZodIssue, raw: unknown): ConfigIssue {
  return { where: pathInWords(issue.path, raw), message: issueMessage(issue) };
}

function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `required, but missing (expected ${issue.expected})` : `expected ${issue.expected}, got ${describe(issue.input)}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}`;
      return issue.inclusive === false ? `must be more than ${String(issue.minimum)}` : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

/** `['repos', 1, 'base']` → `repos[1] ("web") → base`, naming list items by their `name` when they have one. */
function pathInWords(path: readonly PropertyKey[], raw: unknown): string {
  const parts: string[] = [];
  let node: unknown = raw;
  for (const key of path) {
    if (typeof key === 'number') {
      const item = Array.isArray(node) ? (node[key] as unknown) : undefined;
      const name = typeof item === 'object' && item !== null && typeof (item as { name?: unknown }).name === 'string' ? ` ("${(item as { name: string }).name}")` : '';
      parts[parts.length - 1] = `${parts.at(-1) ?? ''}[${key}]${name}`;
      node = item;
    } else {
      parts.push(String(key));
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[String(key)] : undefined;
    }
  }
  return parts.join(' → ');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function yamlPosition(pos: { line: number; col: number } | undefined): string {
  return pos === undefined ? '' : `line ${pos.line}, column ${pos.col}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
