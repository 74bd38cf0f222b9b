import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { homePaths } from '../home.js';
import { createProgram, jobArgsFromCommander } from './cli.js';
import type { CliContext } from './context.js';
import { COMMAND_NAMES, buildCreateRequest, captureClientEnv, parseJobArgv, type JobArgs, type RequestContext } from './job-args.js';
import type { InputStream } from './streams.js';

function context(): CliContext {
  const sink = { write: () => true };
  return {
    cwd: '/work/repo',
    env: {},
    streams: { stdout: sink, stderr: sink, stdin: Readable.from([]) },
    paths: homePaths('/tmp/flotilla-test-home'),
    connect: () => Promise.reject(new Error('no daemon in this test')),
    now: () => 0,
  };
}

/** What commander makes of `argv` for `cb [options] "prompt"`, or the error it throws. */
async function commanderArgs(argv: string[]): Promise<JobArgs> {
  const program = createProgram(context());
  let captured: JobArgs | undefined;
  program.action((prompt: string[], opts: Record<string, unknown>) => {
    captured = jobArgsFromCommander(prompt, opts);
  });
  await program.parseAsync(argv, { from: 'user' });
  if (!captured) throw new Error(`commander ran a subcommand for ${JSON.stringify(argv)}`);
  return captured;
}

function stdin(text: string, isTTY = false): InputStream {
  return Object.assign(Readable.from([Buffer.from(text)]), { isTTY });
}

function requestContext(overrides: Partial<RequestContext> = {}): RequestContext {
  return {
    cwd: '/work/repo',
    env: { ANTHROPIC_API_KEY: 'sk-1', CLAUDE_CODE_OAUTH_TOKEN: 't', OPENAI_BASE_URL: 'http://x', HOME: '/root', https_proxy: 'http://p', SECRET: 's', TOKEN_X: 'shh' },
    stdin: stdin('from stdin\n'),
    readFile: (path) => {
      if (path === '/work/repo/schema.json') return '{"type":"object"}';
      throw new Error(`ENOENT: ${path}`);
    },
    ...overrides,
  };
}

const PARITY: string[][] = [
  ['hello world'],
  ['--json', 'fix', 'the', 'bug'],
  ['fix', '--agent', 'codex', '--model=gpt-5', '--permissions', 'bypass', '--worktree'],
  ['--env', 'A=1', '--env=B=x=y', '--env', 'TOKEN_X', 'p'],
  ['--timeout', '90s', '--idle-timeout=15m', '--budget-usd', '2.5', 'p'],
  ['--tag', 'a', '--tag', 'b', '--attempts', '3', '--model-ladder', 'sonnet, opus', 'p'],
  ['--json-schema', 'schema.json', '--idempotency-key', 'k1', '--base', 'main', '--branch', 'feat/x', '--cwd', 'sub', 'p'],
  ['--in-job', '01ARZ3NDEKTSV4RRFFQ69G5FAV', '--wait', '--follow', 'p'],
  ['--timeout', '1500', '--', '--json', 'x'],
  ['-'],
  [],
  ['run-this', 'ls'],
];

describe('parseJobArgv', () => {
  it.each(PARITY)('should parse %j exactly as commander does, into the same request', async (...argv) => {
    const byHand = parseJobArgv(argv);
    expect(byHand).not.toBeNull();
    const viaCommander = await commanderArgs(argv);
    expect(byHand).toEqual(viaCommander);
    const [a, b] = await Promise.all([buildCreateRequest(byHand!, requestContext()), buildCreateRequest(viaCommander, requestContext())]);
    expect(a).toEqual(b);
  });

  it('should build the full request from every option', async () => {
    const args = parseJobArgv([
      '--agent', 'claude', '--model', 'sonnet', '--permissions', 'allowlist', '--worktree', '--base', 'main', '--branch', 'b',
      '--in-job', '01ARZ3NDEKTSV4RRFFQ69G5FAV', '--env', 'A=1', '--env', 'TOKEN_X', '--timeout', '2h', '--idle-timeout', '90s',
      '--budget-usd', '3', '--tag', 't', '--attempts', '2', '--model-ladder', 'sonnet,opus', '--json-schema', 'schema.json',
      '--idempotency-key', 'k', '--cwd', 'pkg', 'do', 'it',
    ]);
    expect(await buildCreateRequest(args!, requestContext())).toMatchInlineSnapshot(`
      {
        "agent": "claude",
        "attempts": 2,
        "base": "main",
        "branch": "b",
        "budgetUsd": 3,
        "clientEnv": {
          "ANTHROPIC_API_KEY": "sk-1",
          "CLAUDE_CODE_OAUTH_TOKEN": "t",
          "OPENAI_BASE_URL": "http://x",
          "https_proxy": "http://p",
        },
        "cwd": "/work/repo/pkg",
        "env": {
          "A": "1",
          "TOKEN_X": "shh",
        },
        "idempotencyKey": "k",
        "idleTimeoutMs": 90000,
        "inJob": "01ARZ3NDEKTSV4RRFFQ69G5FAV",
        "jsonSchema": {
          "type": "object",
        },
        "model": "sonnet",
        "modelLadder": [
          "sonnet",
          "opus",
        ],
        "permissions": "allowlist",
        "prompt": "do it",
        "tags": [
          "t",
        ],
        "timeoutMs": 7200000,
        "worktree": true,
      }
    `);
  });

  // Commander dispatches `cb -- ls` to the ls command; the hand parser (which always sees argv first) does not.
  it('should send "--" arguments as the prompt, even a command name', () => {
    expect(parseJobArgv(['--json', '--', 'ls', '--all'])).toEqual({ prompt: ['ls', '--all'], json: true });
  });

  it.each([
    [['ls']],
    [['show', 'x']],
    [['help']],
    [['--help']],
    [['-h']],
    [['-V']],
    [['--bogus', 'x']],
    [['-f', 'x']],
    [['--timeout', 'soon', 'p']],
    [['--permissions', 'all', 'p']],
    [['--env', '1BAD=x', 'p']],
    [['--attempts', '0', 'p']],
    [['--worktree=yes', 'p']],
    [['p', '--agent']],
  ])('should leave %j to commander', (argv) => {
    expect(parseJobArgv(argv)).toBeNull();
  });

  it('should reject the same values through commander, naming the flag', async () => {
    await expect(commanderArgs(['--timeout', 'soon', 'p'])).rejects.toThrowError('--timeout: invalid duration "soon"');
    await expect(commanderArgs(['--env', '1BAD=x', 'p'])).rejects.toThrowError('--env: "1BAD" is not a valid environment variable name');
    await expect(commanderArgs(['--permissions', 'all', 'p'])).rejects.toThrowError('--permissions: "all" is not a permission mode');
  });

  it('should know exactly the commands commander registers', () => {
    const names = createProgram(context()).commands.map((c) => c.name());
    expect(new Set([...names, 'help'])).toEqual(COMMAND_NAMES);
  });
});

describe('buildCreateRequest', () => {
  it('should read the prompt from stdin for "-" and for no prompt when stdin is piped', async () => {
    expect((await buildCreateRequest({ prompt: ['-'] }, requestContext())).prompt).toBe('from stdin');
    expect((await buildCreateRequest({ prompt: [] }, requestContext())).prompt).toBe('from stdin');
  });

  it('should refuse a missing prompt on a terminal and an empty one', async () => {
    await expect(buildCreateRequest({ prompt: [] }, requestContext({ stdin: stdin('', true) }))).rejects.toThrowError('no prompt given');
    await expect(buildCreateRequest({ prompt: ['-'] }, requestContext({ stdin: stdin('  \n') }))).rejects.toThrowError('the prompt is empty');
  });

  it('should refuse --env KEY for a variable the shell does not have', async () => {
    await expect(buildCreateRequest({ prompt: ['p'], env: ['NOPE'] }, requestContext())).rejects.toThrowError('NOPE is not set in this shell');
  });

  it('should report an unreadable or invalid --json-schema file', async () => {
    await expect(buildCreateRequest({ prompt: ['p'], jsonSchema: 'missing.json' }, requestContext())).rejects.toThrowError(/cannot read \/work\/repo\/missing.json/);
    const ctx = requestContext({ readFile: () => '{nope' });
    await expect(buildCreateRequest({ prompt: ['p'], jsonSchema: 's.json' }, ctx)).rejects.toThrowError(/is not valid JSON/);
  });
});

describe('captureClientEnv', () => {
  it('should keep credentials, endpoints and proxies, plus configured prefixes, and nothing else', () => {
    const env = { ANTHROPIC_BASE_URL: 'a', CODEX_HOME: 'c', NO_PROXY: 'n', no_proxy: 'n2', PATH: '/bin', GITHUB_TOKEN: 'g', AWS_REGION: 'r' };
    expect(captureClientEnv(env, ['AWS_'])).toEqual({ ANTHROPIC_BASE_URL: 'a', CODEX_HOME: 'c', NO_PROXY: 'n', no_proxy: 'n2', AWS_REGION: 'r' });
  });
});
