/**
 * The directors' latest pipeline reports, one row per director id in the hub's database (`hub.db`),
 * so that a restarted hub still shows every director's last report (marked stale until it reports
 * again). Latest wins; a report dated before the stored one is refused (a delayed retry must not
 * hide a newer state).
 *
 * A report comes every couple of minutes per director and a dashboard reads them on load: the
 * store opens its connection for each call and closes it after, so it has no lifetime to manage
 * beside the hub's (a few milliseconds per call, on a WAL file the hub already has open).
 */
import { immediate, openDatabase } from '@flotilla/kit/sqlite';
import { DirectorReportSchema, type DirectorReport } from '@flotilla/protocol';
import { z } from 'zod';
import { migrateComponent } from '../store/migrate.js';

const MIGRATIONS: readonly string[] = [
  `create table director_pipelines (
     director_id text primary key, updated_ms integer not null, received_at text not null, doc text not null)`,
];

const RowSchema = z.object({ director_id: z.string(), updated_ms: z.number().int(), received_at: z.string(), doc: z.string() });

export interface StoredReport {
  report: DirectorReport;
  receivedAt: string;
}

export type PutReportResult = { stored: true; entry: StoredReport } | { stored: false; current: StoredReport };

export interface PipelineStore {
  /** Stores the report unless the stored one for its director is newer. */
  put(report: DirectorReport, receivedAt: Date): PutReportResult;
  /** Every director's latest report, most recently updated first. */
  list(): StoredReport[];
}

/**
 * Runs `use` with the pipeline store over the hub's database file at `dbPath`.
 *
 * @example
 * const result = withPipelineStore(hub.dbPath, (store) => store.put(report, new Date()));
 */
export function withPipelineStore<T>(dbPath: string, use: (store: PipelineStore) => T): T {
  const { sqlite, close } = openDatabase(dbPath);
  try {
    migrateComponent(sqlite, 'pipeline', MIGRATIONS);
    const read = (row: unknown): StoredReport => {
      const parsed = RowSchema.parse(row);
      // Validated on the way in; checked again on the way out (a row written by a newer hub may not fit).
      return { report: DirectorReportSchema.parse(JSON.parse(parsed.doc)), receivedAt: parsed.received_at };
    };
    const current = sqlite.prepare<[string]>('select * from director_pipelines where director_id = ?');
    const upsert = sqlite.prepare<[string, number, string, string]>(
      `insert into director_pipelines (director_id, updated_ms, received_at, doc) values (?, ?, ?, ?)
       on conflict (director_id) do update set updated_ms = excluded.updated_ms, received_at = excluded.received_at, doc = excluded.doc`,
    );
    const store: PipelineStore = {
      put: (report, receivedAt) =>
        immediate(sqlite, (): PutReportResult => {
          const row = current.get(report.id) as z.infer<typeof RowSchema> | undefined;
          const updatedMs = Date.parse(report.updatedAt);
          if (row !== undefined && row.updated_ms > updatedMs) return { stored: false, current: read(row) };
          upsert.run(report.id, updatedMs, receivedAt.toISOString(), JSON.stringify(report));
          return { stored: true, entry: { report, receivedAt: receivedAt.toISOString() } };
        }),
      list: () => sqlite.prepare('select * from director_pipelines order by updated_ms desc, director_id').all().flatMap((row) => readable(read, row)),
    };
    return use(store);
  } finally {
    close();
  }
}

/** A row that no longer parses (written by a newer hub) is left out rather than failing the whole list. */
function readable(read: (row: unknown) => StoredReport, row: unknown): StoredReport[] {
  try {
    return [read(row)];
  } catch {
    return [];
  }
}
