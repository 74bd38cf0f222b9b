/**
 * Helpers for testing the CLI's commands without a daemon: a `Transport` that answers canned
 * protocol objects, captured streams and a complete `Job` builder. Used by `*.test.ts` only.
 */
import { Readable } from 'node:stream';
import type { Attempt, Job, Transport, TransportRequest } from '@flotilla/protocol';
import { homePaths } from '../home.js';
import type { CliContext } from './context.js';
import type { CliStreams, OutputStream } from './streams.js';

export type MemoryRoute = (req: TransportRequest, n: number) => unknown;

export interface MemoryTransport extends Transport {
  requests: TransportRequest[];
}

/** A reply with a status other than 200. */
export function reply(status: number, body: unknown): { [REPLY]: true; status: number; body: unknown } {
  return { [REPLY]: true, status, body };
}
const REPLY = Symbol('reply');

/**
 * Routes are keyed `"METHOD /path"`; a value is the 200 body, or a function of the request (and
 * how many times the route was called before) returning the body or a `reply(status, body)`.
 * Unknown routes answer 404 with an error envelope.
 */
export function createMemoryTransport(routes: Record<string, unknown>): MemoryTransport {
  const counts = new Map<string, number>();
  const requests: TransportRequest[] = [];
  return {
    requests,
    async request(req) {
      requests.push(req);
      const key = `${req.method} ${req.path}`;
      if (!(key in routes)) {
        return { status: 404, headers: { 'content-type': 'application/json' }, body: { error: { code: 'NOT_FOUND', message: `no route ${key}` } } };
      }
      const n = counts.get(key) ?? 0;
      counts.set(key, n + 1);
      const route = routes[key];
      const result = typeof route === 'function' ? await (route as MemoryRoute)(req, n) : route;
      if (typeof result === 'object' && result !== null && REPLY in result) {
        const { status, body } = result as unknown as { status: number; body: unknown };
        return { status, headers: { 'content-type': 'application/json' }, body };
      }
      return { status: 200, headers: { 'content-type': 'application/json' }, body: result };
    },
    async stream() {
      throw new Error('streams are not supported by the memory transport');
    },
  };
}

export interface CapturedOutput extends OutputStream {
  text: string;
}

export function captureOutput(options: { isTTY?: boolean; columns?: number } = {}): CapturedOutput {
  const out = {
    text: '',
    ...options,
    write(chunk: string) {
      out.text += chunk;
      return true;
    },
  };
  return out;
}

export interface TestStreams extends CliStreams {
  stdout: CapturedOutput;
  stderr: CapturedOutput;
}

export function testStreams(options: { stdin?: string; stdinIsTTY?: boolean; columns?: number } = {}): TestStreams {
  const stdin = Object.assign(Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]), {
    isTTY: options.stdinIsTTY ?? options.stdin === undefined,
  });
  return { stdout: captureOutput({ columns: options.columns }), stderr: captureOutput(), stdin };
}

/** A CliContext over `transport` with captured streams, a fixed clock and an unused home. */
export function testContext(transport: Transport, overrides: Partial<CliContext> = {}): CliContext & { streams: TestStreams } {
  return {
    cwd: '/work/repo',
    env: { ANTHROPIC_API_KEY: 'sk-test', PATH: '/usr/bin' },
    streams: testStreams(),
    paths: homePaths('/tmp/flotilla-cli-test-home'),
    connect: async () => transport,
    now: () => NOW,
    ...overrides,
  } as CliContext & { streams: TestStreams };
}

/** The tests' "now": 2026-01-02T03:04:05Z. */
export const NOW = Date.parse('2026-01-02T03:04:05.000Z');

export function minutesAgo(minutes: number): string {
  return new Date(NOW - minutes * 60_000).toISOString();
}

export function makeAttempt(overrides: Partial<Attempt> = {}): Attempt {
  return {
    n: 1,
    status: 'succeeded',
    reason: 'new',
    prompt: 'refactor the auth module',
    model: 'sonnet',
    resumedSessionId: null,
    credential: null,
    agentSessionId: '5d7c2a8e-0f43-4b1e-9d7a-3c2b1a0f9e8d',
    tmuxSession: 'fl-01JZ8Q7W3M',
    startedAt: minutesAgo(10),
    endedAt: minutesAgo(8),
    exitCode: 0,
    failure: null,
    usage: { inputTokens: 1200, outputTokens: 345, cacheReadTokens: 45000, cacheWriteTokens: 3000 },
    cost: { usd: 0.0421, source: 'agent' },
    consumedAttempt: true,
    ...overrides,
  };
}

export function makeJob(overrides: Partial<Job> = {}): Job {
  return {
    id: '01JZ8Q7W3MAAAAAAAAAAAAAAAA',
    host: 'dragon',
    status: 'succeeded',
    agent: 'claude',
    model: 'sonnet',
    prompt: 'refactor the auth module\nkeep the public API',
    cwd: '/work/repo',
    permissions: 'accept-edits',
    tags: [],
    createdAt: minutesAgo(12),
    updatedAt: minutesAgo(8),
    startedAt: minutesAgo(10),
    endedAt: minutesAgo(8),
    durationMs: 120_000,
    result: 'Done: split auth into two modules.',
    failure: null,
    agentSessionId: '5d7c2a8e-0f43-4b1e-9d7a-3c2b1a0f9e8d',
    usage: { inputTokens: 1200, outputTokens: 345, cacheReadTokens: 45000, cacheWriteTokens: 3000 },
    cost: { usd: 0.0421, source: 'agent' },
    attempts: [makeAttempt()],
    attemptsUsed: 1,
    maxAttempts: 3,
    infraRetries: 0,
    retryAt: null,
    worktree: null,
    unread: true,
    idempotencyKey: null,
    timeoutMs: null,
    idleTimeoutMs: null,
    budgetUsd: null,
    modelLadder: [],
    pending: null,
    inJob: null,
    envKeys: [],
    ...overrides,
  };
}
