import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '@flotilla/kit/sqlite';
import { BoardStoreError, isBoardStoreError } from './board-store.js';
import { createWriteBatch, type WriteBatch } from './write-batch.js';

describe('createWriteBatch', () => {
  let dir: string;
  let db: { sqlite: SqliteDatabase; close(): void };
  let peer: { sqlite: SqliteDatabase; close(): void };
  let batch: WriteBatch;
  const names = (sqlite: SqliteDatabase) => sqlite.prepare<[], { name: string }>('select name from t order by name').all().map((row) => row.name);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mesh-write-batch-'));
    db = openDatabase(join(dir, 'x.db'));
    db.sqlite.exec('create table t (name text primary key)');
    peer = openDatabase(join(dir, 'x.db'));
    batch = createWriteBatch(db.sqlite);
  });
  afterEach(() => {
    peer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (name: string) => () => {
    batch.wrote();
    db.sqlite.prepare('insert into t (name) values (?)').run(name);
    return name;
  };

  it('should run the writes of one turn in one transaction and answer them after its commit', async () => {
    const seenByPeer: string[][] = [];
    const writes = [
      batch.run(insert('a')),
      batch.run(insert('b')),
      batch.run(() => {
        // Another connection sees nothing yet: a and b are in this still-open transaction.
        seenByPeer.push(names(peer.sqlite));
        return names(db.sqlite).length;
      }),
    ];
    expect(names(peer.sqlite)).toEqual([]);
    expect(await Promise.all(writes)).toEqual(['a', 'b', 2]);
    expect(seenByPeer).toEqual([[]]);
    expect(names(peer.sqlite)).toEqual(['a', 'b']);
  });

  it('should answer a refusal to its own write only and commit the others', async () => {
    const refused = batch.run(() => {
      throw new BoardStoreError('STALE_TOKEN', 'stale');
    });
    const kept = batch.run(insert('kept'));
    expect(isBoardStoreError(await refused.catch((error: unknown) => error), 'STALE_TOKEN')).toBe(true);
    expect(await kept).toBe('kept');
    expect(names(peer.sqlite)).toEqual(['kept']);
  });

  it('should roll back a write that breaks halfway and still commit its neighbours', async () => {
    const before = batch.run(insert('before'));
    const broken = batch.run(() => {
      insert('half')();
      throw new Error('disk on fire');
    });
    const refusedLate = batch.run(() => {
      insert('late')();
      throw new BoardStoreError('CONFLICT', 'refused after writing');
    });
    const after = batch.run(insert('after'));
    expect(await broken.catch((error: unknown) => (error as Error).message)).toBe('disk on fire');
    expect(isBoardStoreError(await refusedLate.catch((error: unknown) => error), 'CONFLICT')).toBe(true);
    expect(await Promise.all([before, after])).toEqual(['before', 'after']);
    expect(names(peer.sqlite)).toEqual(['after', 'before']);
  });

  it('should reject every write of a batch that cannot begin, none of them applied', async () => {
    peer.sqlite.pragma('busy_timeout = 0');
    db.sqlite.pragma('busy_timeout = 0');
    peer.sqlite.exec('begin immediate');
    const writes = [batch.run(insert('x')), batch.run(insert('y'))].map((write) => write.catch((error: unknown) => (error as { code?: string }).code));
    expect(await Promise.all(writes)).toEqual(['SQLITE_BUSY', 'SQLITE_BUSY']);
    peer.sqlite.exec('rollback');
    expect(names(peer.sqlite)).toEqual([]);
  });

  it('should run the waiting writes when flushed before the turn ends', async () => {
    const write = batch.run(insert('now'));
    batch.flush();
    expect(names(peer.sqlite)).toEqual(['now']);
    expect(await write).toBe('now');
  });
});
