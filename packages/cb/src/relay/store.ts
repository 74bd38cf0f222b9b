/**
 * The relay's tables in the daemon's database: capability tokens of jobs and sessions (hashes
 * only), the board claims the daemon renews, and the outbound queue of messages for the hub. Every
 * method is one transaction, behind the same async interface as the rest of the store.
 */
import { and, asc, eq, isNotNull, isNull, lt, notInArray, or } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { immediate, type SqliteDatabase } from '@flotilla/kit/sqlite';
import { TaskHolderSchema, type TaskHolder } from '@flotilla/protocol';
import { z } from 'zod';
import { agentTokens, relayClaims, relayOutbox } from '../store/schema.js';

export type AgentTokenKind = 'job' | 'session';

/** One minted capability token, by its SHA-256 (the token itself is never stored). */
export interface AgentTokenRecord {
  hash: string;
  kind: AgentTokenKind;
  /** The job id or the session id. */
  ownerId: string;
  /** The job's attempt the token was minted for; null for a session. */
  attempt: number | null;
  /** The holder's name on the board: the session's name, or `job-<short id>`. */
  name: string;
  createdAt: string;
  revokedAt: string | null;
  revokedReason: string | null;
}

/** A claim the daemon made for someone and keeps alive (renews) while its holder lives. */
export interface RelayClaim {
  taskId: string;
  taskKey: string;
  /** The fencing token the hub gave with the claim. */
  token: number;
  leaseMs: number;
  /** The holder's capability token hash; null when the user claimed outside any job (never renewed). */
  tokenHash: string | null;
  holder: TaskHolder;
  claimedAt: string;
  renewedAt: string | null;
}

export const RELAY_PATHS = ['/api/messages', '/api/channel'] as const;
export type RelayPath = (typeof RELAY_PATHS)[number];

/** A message or channel post on its way to the hub. */
export interface OutboundMessage {
  id: number;
  /** Sent as `x-flotilla-idempotency-key`: a retry after a lost answer is the same message. */
  key: string;
  path: RelayPath;
  body: unknown;
  /** The sender's identity headers, as they were when it was written. */
  headers: Record<string, string>;
  createdAt: string;
  attempts: number;
  lastError: string | null;
  failedAt: string | null;
}

export interface RelayStore {
  /** Stores a new token; with `replaces`, the owner's earlier tokens are revoked in the same transaction. */
  insertAgentToken(record: AgentTokenRecord, replaces?: string): Promise<void>;
  findAgentToken(hash: string): Promise<AgentTokenRecord | null>;
  /** Revokes every live token of this job or session; returns how many. */
  revokeAgentTokens(ownerId: string, reason: string): Promise<number>;
  liveAgentTokens(): Promise<AgentTokenRecord[]>;
  /** Deletes tokens revoked before `olderThan` that no remembered claim points to; returns how many. */
  pruneAgentTokens(olderThan: string): Promise<number>;
  /** Stores (or replaces) the claim of a task. */
  saveClaim(claim: RelayClaim): Promise<void>;
  claims(): Promise<RelayClaim[]>;
  /** The claim of a task named by id or key. */
  findClaim(ref: string): Promise<RelayClaim | null>;
  forgetClaim(taskId: string): Promise<void>;
  claimRenewed(taskId: string, at: string): Promise<void>;
  /** Commits the message before it returns (the caller may then answer 202). */
  enqueueMessage(message: { key: string; path: RelayPath; body: unknown; headers: Record<string, string> }): Promise<OutboundMessage>;
  /** Messages still to send, oldest first (failed ones excluded). */
  pendingMessages(limit: number): Promise<OutboundMessage[]>;
  getMessage(id: number): Promise<OutboundMessage | null>;
  /** The hub took it: it leaves the queue. */
  messageSent(id: number): Promise<void>;
  /** One more failed attempt; `final` sets it aside for good (the hub refused it). */
  messageFailed(id: number, error: string, final: boolean): Promise<void>;
}

const HeadersSchema = z.record(z.string(), z.string());

export function createSqliteRelayTables(options: { sqlite: SqliteDatabase; db: BetterSQLite3Database; now(): Date }): RelayStore {
  const { sqlite, db, now } = options;
  const readToken = (row: typeof agentTokens.$inferSelect): AgentTokenRecord => ({ ...row, kind: row.kind === 'session' ? 'session' : 'job' });
  const readClaim = (row: typeof relayClaims.$inferSelect): RelayClaim => ({
    taskId: row.taskId,
    taskKey: row.taskKey,
    token: row.token,
    leaseMs: row.leaseMs,
    tokenHash: row.tokenHash,
    holder: TaskHolderSchema.parse(JSON.parse(row.doc)),
    claimedAt: row.claimedAt,
    renewedAt: row.renewedAt,
  });
  const readMessage = (row: typeof relayOutbox.$inferSelect): OutboundMessage => ({
    ...row,
    path: z.enum(RELAY_PATHS).parse(row.path),
    body: JSON.parse(row.body) as unknown,
    headers: HeadersSchema.parse(JSON.parse(row.headers)),
  });
  const revoke = (ownerId: string, reason: string): number =>
    db
      .update(agentTokens)
      .set({ revokedAt: now().toISOString(), revokedReason: reason })
      .where(and(eq(agentTokens.ownerId, ownerId), isNull(agentTokens.revokedAt)))
      .run().changes;

  return {
    async insertAgentToken(record, replaces) {
      immediate(sqlite, () => {
        if (replaces !== undefined) revoke(record.ownerId, replaces);
        db.insert(agentTokens).values(record).run();
      });
    },
    async findAgentToken(hash) {
      const row = db.select().from(agentTokens).where(eq(agentTokens.hash, hash)).get();
      return row ? readToken(row) : null;
    },
    async revokeAgentTokens(ownerId, reason) {
      return immediate(sqlite, () => revoke(ownerId, reason));
    },
    async liveAgentTokens() {
      return db.select().from(agentTokens).where(isNull(agentTokens.revokedAt)).all().map(readToken);
    },
    async pruneAgentTokens(olderThan) {
      const claimed = db.select({ hash: relayClaims.tokenHash }).from(relayClaims).where(isNotNull(relayClaims.tokenHash));
      return db.delete(agentTokens).where(and(lt(agentTokens.revokedAt, olderThan), notInArray(agentTokens.hash, claimed))).run().changes;
    },
    async saveClaim(claim) {
      const values = { ...claim, doc: JSON.stringify(TaskHolderSchema.parse(claim.holder)) };
      const { holder: _holder, ...row } = values;
      db.insert(relayClaims).values(row).onConflictDoUpdate({ target: relayClaims.taskId, set: row }).run();
    },
    async claims() {
      return db.select().from(relayClaims).orderBy(asc(relayClaims.claimedAt)).all().map(readClaim);
    },
    async findClaim(ref) {
      const row = db.select().from(relayClaims).where(or(eq(relayClaims.taskId, ref), eq(relayClaims.taskKey, ref))).get();
      return row ? readClaim(row) : null;
    },
    async forgetClaim(taskId) {
      db.delete(relayClaims).where(eq(relayClaims.taskId, taskId)).run();
    },
    async claimRenewed(taskId, at) {
      db.update(relayClaims).set({ renewedAt: at }).where(eq(relayClaims.taskId, taskId)).run();
    },
    async enqueueMessage(message) {
      const row = db
        .insert(relayOutbox)
        .values({ key: message.key, path: message.path, body: JSON.stringify(message.body), headers: JSON.stringify(message.headers), createdAt: now().toISOString() })
        .returning()
        .get();
      return readMessage(row);
    },
    async pendingMessages(limit) {
      return db.select().from(relayOutbox).where(isNull(relayOutbox.failedAt)).orderBy(asc(relayOutbox.id)).limit(limit).all().map(readMessage);
    },
    async getMessage(id) {
      const row = db.select().from(relayOutbox).where(eq(relayOutbox.id, id)).get();
      return row ? readMessage(row) : null;
    },
    async messageSent(id) {
      db.delete(relayOutbox).where(eq(relayOutbox.id, id)).run();
    },
    async messageFailed(id, error, final) {
      const row = db.select({ attempts: relayOutbox.attempts }).from(relayOutbox).where(eq(relayOutbox.id, id)).get();
      if (!row) return;
      db.update(relayOutbox)
        .set({ attempts: row.attempts + 1, lastError: error.slice(0, 2000), failedAt: final ? now().toISOString() : null })
        .where(eq(relayOutbox.id, id))
        .run();
    },
  };
}
