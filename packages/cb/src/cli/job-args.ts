/**
 * The options of `cb "prompt"`, in one table that drives both the hand parser of the fast path
 * and the commander definition in `cli.ts`, so the two cannot drift apart. No zod here: this
 * module is on the start-up path of every `cb "…"`.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { CreateJobRequest, PermissionMode } from '@flotilla/protocol';
import { filterAllowed } from '../daemon/env.js';
import { parseDuration } from './duration.js';
import { UsageError } from './errors.js';
import { readAll, type InputStream } from './streams.js';

/**
 * Every subcommand `cli.ts` registers. A first positional argument equal to one of these is a
 * command, anything else is a prompt (`cb -- ls` sends the prompt "ls"). `job-args.test.ts` checks
 * that this list and the commander program agree.
 */
export const COMMAND_NAMES: ReadonlySet<string> = new Set([
  'run',
  'ls',
  'show',
  'logs',
  'attach',
  'takeover',
  'cancel',
  'wait',
  'retry',
  'resume',
  'inbox',
  'read',
  'doctor',
  'gc',
  'stats',
  'daemon',
  'serve',
  'session',
  'send',
  'peek',
  'answer',
  'board',
  'msg',
  'help',
]);

/** What the user typed on `cb [options] "prompt"`, validated per flag but not yet a request. */
export interface JobArgs {
  prompt: string[];
  agent?: string;
  model?: string;
  permissions?: PermissionMode;
  cwd?: string;
  worktree?: boolean;
  base?: string;
  branch?: string;
  inJob?: string;
  env?: string[];
  timeout?: number;
  idleTimeout?: number;
  budgetUsd?: number;
  tag?: string[];
  attempts?: number;
  modelLadder?: string[];
  jsonSchema?: string;
  wait?: boolean;
  follow?: boolean;
  json?: boolean;
  idempotencyKey?: string;
}

type OptionKey = Exclude<keyof JobArgs, 'prompt'>;

export interface JobOption {
  /** The long flag without dashes; commander camel-cases it into `key`. */
  flag: string;
  key: OptionKey;
  /** Placeholder of the value; absent for boolean flags. */
  arg?: string;
  /** Collects every occurrence into an array. */
  repeat?: boolean;
  description: string;
  parse?: (value: string) => unknown;
}

const AGENT_NAME = /^[a-z][a-z0-9_-]{0,39}$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PERMISSIONS: readonly PermissionMode[] = ['accept-edits', 'allowlist', 'bypass'];
const FULL_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

function nonEmpty(what: string, max = 1_000): (value: string) => string {
  return (value) => {
    if (value.length === 0 || value.length > max) throw new UsageError(`${what} must be 1 to ${max} characters`);
    return value;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`"${value}" is not a positive number`);
  return n;
}

export function parseAgent(value: string): string {
  if (!AGENT_NAME.test(value)) throw new UsageError(`"${value}" is not an agent name`, 'agent names are lowercase letters, digits, - and _ (e.g. claude, codex)');
  return value;
}

export function parsePermissions(value: string): PermissionMode {
  if (!(PERMISSIONS as readonly string[]).includes(value)) {
    throw new UsageError(`"${value}" is not a permission mode`, `use one of ${PERMISSIONS.join(', ')}`);
  }
  return value as PermissionMode;
}

/** `KEY=VALUE`, or a bare `KEY` that takes its value from the invoking shell. */
export function parseEnvPair(value: string): string {
  const eq = value.indexOf('=');
  const key = eq === -1 ? value : value.slice(0, eq);
  if (!ENV_KEY.test(key)) throw new UsageError(`"${key}" is not a valid environment variable name`, 'use KEY=VALUE with KEY made of letters, digits and _');
  return value;
}

export function parseAttempts(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 20) throw new UsageError(`"${value}" is not a number of attempts`, 'use a whole number from 1 to 20');
  return n;
}

export function parseModelLadder(value: string): string[] {
  const models = value.split(',').map((m) => m.trim()).filter((m) => m !== '');
  if (models.length === 0) throw new UsageError('the model ladder is empty', 'use e.g. --model-ladder sonnet,opus');
  return models;
}

export const JOB_OPTIONS: readonly JobOption[] = [
  { flag: 'agent', key: 'agent', arg: 'NAME', description: 'agent to run: claude, codex or one from the config (default from config: claude)', parse: parseAgent },
  { flag: 'model', key: 'model', arg: 'MODEL', description: 'model (default for claude: sonnet)', parse: nonEmpty('--model', 200) },
  { flag: 'permissions', key: 'permissions', arg: 'MODE', description: 'accept-edits | allowlist | bypass (bypass needs --worktree)', parse: parsePermissions },
  { flag: 'cwd', key: 'cwd', arg: 'DIR', description: 'directory to run in (default: the current one)', parse: nonEmpty('--cwd', 4_096) },
  { flag: 'worktree', key: 'worktree', description: 'run in a new git worktree on its own branch' },
  { flag: 'base', key: 'base', arg: 'REF', description: 'worktree base (default: the current branch)', parse: nonEmpty('--base', 255) },
  { flag: 'branch', key: 'branch', arg: 'NAME', description: 'worktree branch (default: flotilla/<short-id>-<slug>)', parse: nonEmpty('--branch', 255) },
  { flag: 'in-job', key: 'inJob', arg: 'ID', description: "run in an earlier job's worktree and branch", parse: nonEmpty('--in-job', 26) },
  { flag: 'env', key: 'env', arg: 'KEY=VAL', repeat: true, description: 'set a variable for the agent (repeatable; values are never shown again)', parse: parseEnvPair },
  { flag: 'timeout', key: 'timeout', arg: 'DUR', description: 'wall-clock limit, e.g. 90s, 15m, 2h', parse: parseDuration },
  { flag: 'idle-timeout', key: 'idleTimeout', arg: 'DUR', description: 'stop after this long without output', parse: parseDuration },
  { flag: 'budget-usd', key: 'budgetUsd', arg: 'N', description: 'stop the job when it costs more than this', parse: positiveNumber },
  { flag: 'tag', key: 'tag', arg: 'TAG', repeat: true, description: 'label the job (repeatable)', parse: nonEmpty('--tag', 64) },
  { flag: 'attempts', key: 'attempts', arg: 'N', description: 'task attempts before giving up (1-20)', parse: parseAttempts },
  { flag: 'model-ladder', key: 'modelLadder', arg: 'A,B', description: 'models to escalate through on retries', parse: parseModelLadder },
  { flag: 'json-schema', key: 'jsonSchema', arg: 'FILE', description: 'JSON Schema the final answer must follow (claude)', parse: nonEmpty('--json-schema', 4_096) },
  { flag: 'idempotency-key', key: 'idempotencyKey', arg: 'KEY', description: 'creating twice with the same key returns the first job', parse: nonEmpty('--idempotency-key', 200) },
  { flag: 'wait', key: 'wait', description: 'wait until the job ends; exit 0 only if it succeeded' },
  { flag: 'follow', key: 'follow', description: 'stream the transcript until the job ends, then ring the bell' },
  { flag: 'json', key: 'json', description: 'print the job as JSON' },
];

const BY_FLAG = new Map(JOB_OPTIONS.map((o) => [o.flag, o]));

/**
 * Parses `cb [options] "prompt"` by hand, exactly as commander would (see `cli.test.ts`).
 * Returns null for anything it does not handle (a subcommand, help, an unknown flag, an invalid
 * value), which then goes to commander for the full treatment and its error messages.
 */
export function parseJobArgv(argv: readonly string[]): JobArgs | null {
  const args: JobArgs = { prompt: [] };
  const bag = args as unknown as Record<string, unknown>;
  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i] as string;
    if (token === '--') {
      args.prompt.push(...argv.slice(i + 1));
      break;
    }
    if (token.startsWith('-') && token !== '-') {
      if (!token.startsWith('--')) return null;
      const eq = token.indexOf('=');
      const option = BY_FLAG.get(eq === -1 ? token.slice(2) : token.slice(2, eq));
      if (option === undefined) return null;
      if (option.arg === undefined) {
        if (eq !== -1) return null;
        bag[option.key] = true;
        continue;
      }
      const raw = eq === -1 ? argv[++i] : token.slice(eq + 1);
      if (raw === undefined) return null;
      let value: unknown;
      try {
        value = option.parse ? option.parse(raw) : raw;
      } catch {
        return null;
      }
      bag[option.key] = option.repeat ? [...((bag[option.key] as unknown[] | undefined) ?? []), value] : value;
      continue;
    }
    if (args.prompt.length === 0 && COMMAND_NAMES.has(token)) return null;
    args.prompt.push(token);
  }
  return args;
}

export function isFullJobId(value: string): boolean {
  return FULL_ID.test(value);
}

/** The invoking shell's variables the agent may need (credentials, endpoints, proxies): the daemon's own allowlist. */
export function captureClientEnv(env: Readonly<Record<string, string | undefined>>, extraPrefixes: readonly string[] = []): Record<string, string> {
  return filterAllowed(env, extraPrefixes);
}

/** `envAllowlist` from the config file, read without the config schema (and zod); [] when absent or broken. */
export function readEnvAllowlist(configPath: string): string[] {
  try {
    const list = (JSON.parse(readFileSync(configPath, 'utf8')) as { envAllowlist?: unknown }).envAllowlist;
    return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string' && p !== '') : [];
  } catch {
    return [];
  }
}

export interface RequestContext {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdin: InputStream;
  /** Extra client-env prefixes from the config's `envAllowlist`. */
  envPrefixes?: readonly string[];
  readFile?: (path: string) => string;
}

/** Turns parsed flags into the `POST /api/jobs` body: reads the prompt from stdin when asked, resolves paths. */
export async function buildCreateRequest(args: JobArgs, ctx: RequestContext): Promise<CreateJobRequest> {
  const request: CreateJobRequest = {
    prompt: await resolvePrompt(args.prompt, ctx.stdin),
    cwd: resolve(ctx.cwd, args.cwd ?? '.'),
    clientEnv: captureClientEnv(ctx.env, ctx.envPrefixes),
  };
  if (args.agent !== undefined) request.agent = args.agent;
  if (args.model !== undefined) request.model = args.model;
  if (args.permissions !== undefined) request.permissions = args.permissions;
  if (args.worktree) request.worktree = true;
  if (args.base !== undefined) request.base = args.base;
  if (args.branch !== undefined) request.branch = args.branch;
  if (args.inJob !== undefined) request.inJob = args.inJob;
  if (args.env !== undefined) request.env = envRecord(args.env, ctx.env);
  if (args.timeout !== undefined) request.timeoutMs = args.timeout;
  if (args.idleTimeout !== undefined) request.idleTimeoutMs = args.idleTimeout;
  if (args.budgetUsd !== undefined) request.budgetUsd = args.budgetUsd;
  if (args.tag !== undefined) request.tags = args.tag;
  if (args.attempts !== undefined) request.attempts = args.attempts;
  if (args.modelLadder !== undefined) request.modelLadder = args.modelLadder;
  if (args.idempotencyKey !== undefined) request.idempotencyKey = args.idempotencyKey;
  if (args.jsonSchema !== undefined) request.jsonSchema = readJsonSchema(args.jsonSchema, ctx);
  return request;
}

async function resolvePrompt(parts: readonly string[], stdin: InputStream): Promise<string> {
  const fromStdin = parts.length === 0 || (parts.length === 1 && parts[0] === '-');
  if (fromStdin && parts.length === 0 && stdin.isTTY) {
    throw new UsageError('no prompt given', 'cb "what to do", or pipe the prompt in (cb - reads it from stdin)');
  }
  const prompt = fromStdin ? (await readAll(stdin)).trim() : parts.join(' ');
  if (prompt.trim() === '') throw new UsageError('the prompt is empty');
  return prompt;
}

function envRecord(pairs: readonly string[], env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq !== -1) {
      out[pair.slice(0, eq)] = pair.slice(eq + 1);
      continue;
    }
    const value = env[pair];
    if (value === undefined) throw new UsageError(`--env ${pair}: ${pair} is not set in this shell`, `pass a value: --env ${pair}=VALUE`);
    out[pair] = value;
  }
  return out;
}

function readJsonSchema(file: string, ctx: RequestContext): unknown {
  const path = isAbsolute(file) ? file : resolve(ctx.cwd, file);
  let text: string;
  try {
    text = (ctx.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(path);
  } catch (error) {
    throw new UsageError(`--json-schema: cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`--json-schema: ${path} is not valid JSON (${(error as Error).message})`);
  }
}
