import { HostSchema, JobSchema, MessageSchema, SessionSchema, TaskSchema, AgentProfileSchema, type AgentProfile, type Host, type Job, type Message, type Session, type Task } from '@flotilla/protocol';

/**
 * The fleet the hub STAND-IN (dashboard-hub-standin.ts) starts with: three hosts (one up with a
 * running job and a session, one refused for an unknown key), a board with a task in each open
 * column, two channel posts. Every object is parsed with the protocol's own schemas.
 */

const ULID_CHARS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let counter = 0;
/** A ULID-shaped id, increasing. */
export function ulid(): string {
  counter += 1;
  let n = counter;
  let tail = '';
  for (let i = 0; i < 10; i++) {
    tail = ULID_CHARS[n % 32] + tail;
    n = Math.floor(n / 32);
  }
  return `01KZ${'0'.repeat(12)}${tail}`;
}

export const iso = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString();

export function makeHost(name: string, extra: Partial<Host> = {}): Host {
  return HostSchema.parse({
    name,
    spec: name,
    target: `me@${name}.lan:22`,
    state: 'up',
    since: iso(-3_600_000),
    latencyMs: 8,
    error: null,
    hostKey: { verdict: 'known', fingerprint: `SHA256:${name}Q3kR9x2VbT0pLm8N4cZs7YwHf1JdEaUoIgKq5rt`, keyType: 'ssh-ed25519' },
    mode: 'daemon',
    cbVersion: '0.1.0',
    running: 0,
    queued: 0,
    sessions: 0,
    slots: 4,
    freeSlots: 4,
    paused: false,
    lastSeenAt: iso(),
    ...extra,
  });
}

export function makeJob(host: string, prompt: string): Job {
  const started = iso(-240_000);
  return JobSchema.parse({
    id: ulid(),
    host,
    status: 'running',
    agent: 'claude',
    model: 'sonnet',
    prompt,
    cwd: '/home/me/repo',
    permissions: 'accept-edits',
    tags: [],
    createdAt: started,
    updatedAt: started,
    startedAt: started,
    endedAt: null,
    durationMs: null,
    result: null,
    failure: null,
    agentSessionId: null,
    usage: { inputTokens: 1200, outputTokens: 80, cacheReadTokens: 0, cacheWriteTokens: 0 },
    cost: { usd: 0.01, source: 'agent' },
    attempts: [],
    attemptsUsed: 1,
    maxAttempts: 3,
    infraRetries: 0,
    retryAt: null,
    worktree: null,
    unread: false,
    idempotencyKey: null,
    timeoutMs: null,
    idleTimeoutMs: null,
    budgetUsd: null,
    modelLadder: [],
    pending: null,
    inJob: null,
    envKeys: [],
  });
}

export function makeSession(name: string, host: string): Session {
  return SessionSchema.parse({
    id: ulid(),
    name,
    host,
    kind: 'agent',
    agent: 'claude',
    model: null,
    cwd: '/home/me/repo',
    worktree: null,
    command: null,
    alerts: [],
    state: 'working',
    since: iso(-60_000),
    source: 'hook',
    waitingFor: null,
    tmuxSession: `s-${name}`,
    pid: 4242,
    agentSessionId: null,
    external: false,
    restarts: 0,
    createdAt: iso(-600_000),
    updatedAt: iso(-60_000),
    endedAt: null,
  });
}

export function makeTask(key: string, title: string, extra: Partial<Task> = {}): Task {
  return TaskSchema.parse({
    id: ulid(),
    key,
    title,
    body: '',
    tags: [],
    priority: 'normal',
    for: null,
    after: [],
    status: 'todo',
    holder: null,
    leaseExpiresAt: null,
    token: 0,
    attempts: 0,
    branch: null,
    previousJobId: null,
    history: [{ at: iso(-900_000), kind: 'added', by: 'user' }],
    createdAt: iso(-900_000),
    updatedAt: iso(-900_000),
    ...extra,
  });
}

export function makeMessage(fields: Pick<Message, 'seq' | 'from' | 'to' | 'text'> & Partial<Message>): Message {
  return MessageSchema.parse({ id: ulid(), fromHost: null, mentions: [], deliveries: [], createdAt: iso(), ...fields });
}

export interface World {
  hosts: Map<string, Host>;
  jobs: Job[];
  sessions: Session[];
  profiles: AgentProfile[];
  tasks: Map<string, Task>;
  messages: Message[];
}

export function seedWorld(): World {
  const billing = makeJob('dragon', 'migrate the billing tables to the new schema');
  const docs = makeJob('laptop', 'update the API docs for the token endpoints');
  const reviewer = makeSession('reviewer', 'dragon');
  const hosts = [
    makeHost('laptop', { latencyMs: 0.4, target: 'local', running: 1, freeSlots: 3 }),
    makeHost('dragon', { latencyMs: 12, running: 1, sessions: 1, freeSlots: 3 }),
    makeHost('mac', {
      state: 'refused',
      latencyMs: null,
      cbVersion: null,
      mode: null,
      error: 'host key not in known_hosts',
      hostKey: { verdict: 'unknown', fingerprint: 'SHA256:m4cK3yN0tTrust3dYetAbCdEfGh1jKlMnOpQrStUv', keyType: 'ssh-ed25519' },
    }),
  ];
  const doing = makeTask('AUTH-1', 'Rotate the session signing keys', {
    status: 'doing',
    tags: ['backend', 'auth'],
    priority: 'high',
    holder: { who: 'reviewer', host: 'dragon', jobId: billing.id },
    leaseExpiresAt: iso(600_000),
    token: 3,
    attempts: 1,
  });
  const tasks = [
    doing,
    makeTask('AUTH-2', 'Expire old refresh tokens', { after: [doing.id], tags: ['backend'] }),
    makeTask('AUTH-3', 'Add a login rate limit', { status: 'proposed', body: 'Proposed by the director after the incident.' }),
    makeTask('AUTH-4', 'Write the auth runbook', {
      status: 'review',
      branch: 'flotilla/auth-runbook',
      history: [
        { at: iso(-900_000), kind: 'added', by: 'user' },
        { at: iso(-800_000), kind: 'claimed', by: 'writer', host: 'laptop', token: 1 },
        { at: iso(-120_000), kind: 'handed_off', by: 'writer', host: 'laptop', to: '@reviewer', note: 'Runbook drafted; please check the rollback steps.', branch: 'flotilla/auth-runbook' },
      ],
    }),
  ];
  return {
    hosts: new Map(hosts.map((h) => [h.name, h])),
    jobs: [billing, docs],
    sessions: [reviewer],
    profiles: [AgentProfileSchema.parse({ session: 'reviewer', host: 'dragon', roles: ['reviewer'], tags: ['backend'], auto: false, updatedAt: iso() })],
    tasks: new Map(tasks.map((t) => [t.id, t])),
    messages: [
      makeMessage({ seq: 1, from: 'user', to: '#channel', text: 'Morning all: auth work is on the board.', createdAt: iso(-3_000_000) }),
      makeMessage({ seq: 2, from: 'reviewer', fromHost: 'dragon', to: '#channel', text: 'Taking AUTH-1.', createdAt: iso(-2_000_000) }),
    ],
  };
}
