import { monotonicFactory } from 'ulidx';
import { openDatabase, type SqliteDatabase } from '@flotilla/kit/sqlite';
import {
  BoardStoreError,
  keyPrefix,
  type AddTaskInput,
  type BoardStore,
  type ClaimInput,
  type ExpireLeasesOptions,
  type Fence,
  type NamedClaimInput,
  type Task,
  type TaskListFilter,
} from './board-store.js';
import {
  PRIORITY_RANK,
  applyApprove,
  applyClaim,
  applyExpiry,
  applyFinish,
  applyHandoff,
  applyRenew,
  applyReview,
  applyReviewDecision,
  assertClaimable,
  assertHolding,
  assertReviewDecision,
  leaseUntil,
} from './board-rules.js';
import { migrateBoard } from './sqlite-board-schema.js';
import { createWriteBatch } from './write-batch.js';

export interface SqliteBoardStoreOptions {
  /** The hub's database file; several processes may open the same one. */
  path: string;
  /** The clock; injected so that tests can move time. */
  now?: () => Date;
  /**
   * Runs inside each write's transaction for every task written, on the store's own connection:
   * the hub appends its outbox row here, so a change and its event commit together.
   */
  onWrite?: (sqlite: SqliteDatabase, task: Task) => void;
}

const ulid = monotonicFactory();

/**
 * The best claimable task: todo, every `after` task done, `for` nobody or one of the claimer's
 * names, and (when the claimer asks for tags) sharing a tag; high priority first, then oldest.
 */
const CLAIM_SQL = `
  select doc from board_tasks t
  where status = 'todo'
    and (for_target is null or for_target in (select value from json_each(@names)))
    and (json_array_length(@tags) = 0
         or exists (select 1 from json_each(t.tags) g where g.value in (select value from json_each(@tags))))
    and not exists (select 1 from json_each(t.after) d join board_tasks p on p.id = d.value where p.status <> 'done')
  order by priority_rank, created_at, id
  limit 1`;

function prepareStatements(sqlite: SqliteDatabase) {
  return {
    byRef: sqlite.prepare<[string, string], { doc: string }>('select doc from board_tasks where id = ? or key = ?'),
    claimable: sqlite.prepare<[{ names: string; tags: string }], { doc: string }>(CLAIM_SQL),
    expired: sqlite.prepare<[string], { doc: string }>(
      "select doc from board_tasks where status = 'doing' and lease_expires_at <= ? order by lease_expires_at",
    ),
    held: sqlite.prepare<[], { doc: string }>("select doc from board_tasks where status = 'doing'"),
    all: sqlite.prepare<[], { doc: string }>('select doc from board_tasks order by priority_rank, created_at, id'),
    nextKey: sqlite.prepare<[string], { last: number }>(
      'insert into board_key_counters (prefix, last) values (?, 1) on conflict (prefix) do update set last = last + 1 returning last',
    ),
    insert: sqlite.prepare(
      `insert into board_tasks (id, key, status, priority_rank, for_target, tags, after, holder_who, holder_host, lease_expires_at, created_at, doc)
       values (@id, @key, @status, @priorityRank, @forTarget, @tags, @after, @holderWho, @holderHost, @leaseExpiresAt, @createdAt, @doc)`,
    ),
    update: sqlite.prepare(
      `update board_tasks set status = @status, priority_rank = @priorityRank, for_target = @forTarget, holder_who = @holderWho,
       holder_host = @holderHost, lease_expires_at = @leaseExpiresAt, doc = @doc where id = @id`,
    ),
  };
}

function toRow(task: Task) {
  return {
    id: task.id,
    key: task.key,
    status: task.status,
    priorityRank: PRIORITY_RANK[task.priority],
    forTarget: task.for,
    tags: JSON.stringify(task.tags),
    after: JSON.stringify(task.after),
    holderWho: task.holder?.who ?? null,
    holderHost: task.holder?.host ?? null,
    leaseExpiresAt: task.leaseExpiresAt,
    createdAt: task.createdAt,
    doc: JSON.stringify(task),
  };
}

/** Documents are written only by this store, from typed tasks; reading them back needs no parse. */
function readDoc(row: { doc: string } | undefined): Task | null {
  return row === undefined ? null : (JSON.parse(row.doc) as Task);
}

/** A grace never shortens a lease that already runs longer. */
function latest(current: string | null, grace: string): string {
  return current !== null && current > grace ? current : grace;
}

function matchesFilter(task: Task, filter: TaskListFilter): boolean {
  if (filter.status !== undefined && !filter.status.includes(task.status)) return false;
  if (filter.tag !== undefined && !task.tags.includes(filter.tag)) return false;
  if (filter.for !== undefined && task.for !== filter.for) return false;
  return filter.holder === undefined || task.holder?.who === filter.holder;
}

/**
 * Opens the board on a SQLite file (WAL, 5 s busy timeout). Every read-then-write runs under
 * `BEGIN IMMEDIATE`, which makes the claim atomic across every connection and process on the file;
 * the writes that arrive in the same event-loop turn share one such transaction (`write-batch.ts`).
 *
 * @example
 * const board = createSqliteBoardStore({ path: join(home, 'hub.db') });
 * const task = await board.claim({ holder: { who: 'api-1', host: 'linux' }, leaseMs: 60_000 });
 * if (task) await board.complete(task.id, task.token, 'merged');
 */
export function createSqliteBoardStore(options: SqliteBoardStoreOptions): BoardStore {
  const { sqlite, close } = openDatabase(options.path);
  migrateBoard(sqlite);
  const now = options.now ?? (() => new Date());
  const sql = prepareStatements(sqlite);
  const batch = createWriteBatch(sqlite);

  /** Keys and ULIDs are upper case when written; a name typed in lower case finds them too. */
  function find(ref: string): Task | null {
    const upper = ref.toUpperCase();
    return readDoc(sql.byRef.get(upper, upper));
  }

  function load(ref: string): Task {
    const task = find(ref);
    if (task === null) throw new BoardStoreError('NOT_FOUND', `no task ${ref} on the board`);
    return task;
  }

  function save(task: Task): Task {
    batch.wrote();
    sql.update.run(toRow(task));
    options.onWrite?.(sqlite, task);
    return task;
  }

  /** Loads, checks the fence, applies a change and saves, all in one write transaction. */
  function fenced(ref: string, fence: Fence, change: (task: Task, at: Date) => Task): Promise<Task> {
    return batch.run(() => {
      const task = load(ref);
      assertHolding(task, fence);
      return save(change(task, now()));
    });
  }

  function resolveAfter(refs: readonly string[]): string[] {
    return [...new Set(refs.map((ref) => load(ref).id))];
  }

  function insertTask(input: AddTaskInput): Task {
    const at = now().toISOString();
    const after = resolveAfter(input.after ?? []);
    const prefix = keyPrefix(input.tags);
    batch.wrote();
    const n = sql.nextKey.get(prefix)!.last;
    const task: Task = {
      id: ulid(now().getTime()),
      key: `${prefix}-${n}`,
      title: input.title,
      body: input.body ?? '',
      tags: [...new Set(input.tags ?? [])],
      priority: input.priority ?? 'normal',
      for: input.for ?? null,
      after,
      status: input.proposed === true ? 'proposed' : 'todo',
      holder: null,
      leaseExpiresAt: null,
      token: 0,
      attempts: 0,
      branch: null,
      previousJobId: null,
      history: [{ at, kind: 'added', ...(input.by === undefined ? {} : { by: input.by }) }],
      createdAt: at,
      updatedAt: at,
    };
    sql.insert.run(toRow(task));
    options.onWrite?.(sqlite, task);
    return task;
  }

  function claimNext(input: ClaimInput): Task | null {
    const task = readDoc(sql.claimable.get({ names: JSON.stringify(input.for ?? []), tags: JSON.stringify(input.tags ?? []) }));
    return task === null ? null : save(applyClaim(task, input, now()));
  }

  function claimByRef(ref: string, input: NamedClaimInput): Task {
    const task = load(ref);
    assertClaimable(task, task.after.map((id) => find(id)), input);
    return save(applyClaim(task, input, now()));
  }

  function expireAt(at: Date, options: ExpireLeasesOptions): Task[] {
    return sql.expired
      .all(at.toISOString())
      .map((row) => readDoc(row)!)
      .filter((task) => !options.frozenHosts?.has(task.holder?.host ?? ''))
      .map((task) => save(applyExpiry(task, options.countsAsAttempt?.(task) ?? true, at)));
  }

  function graceHeld(leaseMs: number): number {
    const until = leaseUntil(now(), leaseMs);
    const held = sql.held.all().map((row) => readDoc(row)!);
    for (const task of held) save({ ...task, leaseExpiresAt: latest(task.leaseExpiresAt, until) });
    return held.length;
  }

  return {
    add: (input) => batch.run(() => insertTask(input)),
    get: async (ref) => find(ref),
    list: async (filter = {}) => sql.all.all().map((row) => readDoc(row)!).filter((task) => matchesFilter(task, filter)),
    claim: (input) => batch.run(() => claimNext(input)),
    claimNamed: (ref, input) => batch.run(() => claimByRef(ref, input)),
    renew: (ref, fence, leaseMs) => fenced(ref, fence, (task, at) => applyRenew(task, leaseMs, at)),
    complete: (ref, fence, note) => fenced(ref, fence, (task, at) => applyFinish(task, 'done', note, at)),
    fail: (ref, fence, note) => fenced(ref, fence, (task, at) => applyFinish(task, 'failed', note, at)),
    handoff: (ref, fence, input) => fenced(ref, fence, (task, at) => applyHandoff(task, input, at)),
    approve: (ref, by) => batch.run(() => save(applyApprove(load(ref), by, now()))),
    review: (ref, fence, input) => fenced(ref, fence, (task, at) => applyReview(task, input, at)),
    decideReview: (ref, token, outcome, input) =>
      batch.run(() => {
        const task = load(ref);
        assertReviewDecision(task, token, input);
        return save(applyReviewDecision(task, outcome, input, now()));
      }),
    expireLeases: (at, expireOptions = {}) => batch.run(() => expireAt(at, expireOptions)),
    graceAll: (leaseMs) => batch.run(() => graceHeld(leaseMs)),
    close: async () => {
      batch.flush();
      close();
    },
  };
}
