/**
 * The directors' pipelines on the hub (issue 8 point 7): a director pushes its report after every
 * cycle (`PUT /api/pipeline/:directorId`), the dashboard reads them all (`GET /api/pipeline`) and
 * follows `pipeline.changed` events. Pushed rather than polled, so a director on any machine shows
 * up without the hub knowing where it runs. Both need the hub's token (the user's door only).
 */
import { Hono } from 'hono';
import { DirectorIdSchema, DirectorReportSchema, isStale, ProtocolError, type DirectorPipeline } from '@flotilla/protocol';
import { jsonBody, publishCommitted } from './board-routes-http.js';
import type { PublishEvent } from './hub-events.js';
import { withPipelineStore, type StoredReport } from './pipeline-store.js';

/** A report dated further ahead of the hub's clock than this is refused: its director's clock is wrong. */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000;

export interface PipelineRouteOptions {
  /** The hub's database file (`hub.db`). */
  dbPath: string;
  publish: PublishEvent;
  now?: () => Date;
}

/**
 * @example
 * app.route('/api', pipelineRoutes({ dbPath: hub.dbPath, publish: (event) => hub.publish(event) }));
 */
export function pipelineRoutes(options: PipelineRouteOptions): Hono {
  const now = options.now ?? (() => new Date());
  const app = new Hono();
  app.put('/pipeline/:directorId', async (c) => {
    const directorId = parseDirectorId(c.req.param('directorId'));
    const report = await jsonBody(c, DirectorReportSchema);
    if (report.id !== directorId) {
      throw new ProtocolError('VALIDATION_FAILED', `the report is director ${report.id}'s, but was sent to /api/pipeline/${directorId}`, { fix: 'PUT each report under its own director id' });
    }
    const receivedAt = now();
    const ahead = Date.parse(report.updatedAt) - receivedAt.getTime();
    if (ahead > MAX_CLOCK_AHEAD_MS) {
      throw new ProtocolError('VALIDATION_FAILED', `the report is dated ${report.updatedAt}, ${Math.round(ahead / 60_000)} minutes ahead of the hub's clock (${receivedAt.toISOString()})`, {
        fix: `set the clock of ${report.host} (NTP); a report from the future would hide every later one`,
      });
    }
    const result = withPipelineStore(options.dbPath, (store) => store.put(report, receivedAt));
    if (!result.stored) {
      throw new ProtocolError('CONFLICT', `the hub has a newer report of ${directorId} (${result.current.report.updatedAt}) than this one (${report.updatedAt}); it was not stored`, {
        fix: 'send the director\'s current state: a delayed report must not replace a newer one',
      });
    }
    await publishCommitted(options.publish, { type: 'pipeline.changed', directorId, updatedAt: report.updatedAt });
    return c.json(answer(result.entry, receivedAt.getTime()));
  });
  app.get('/pipeline', (c) => {
    const at = now().getTime();
    return c.json(withPipelineStore(options.dbPath, (store) => store.list()).map((entry) => answer(entry, at)));
  });
  return app;
}

function parseDirectorId(raw: string): string {
  const parsed = DirectorIdSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ProtocolError('VALIDATION_FAILED', `directorId: ${parsed.error.issues[0]?.message ?? 'not a director id'} (got ${JSON.stringify(raw.slice(0, 130))})`);
}

function answer(entry: StoredReport, now: number): DirectorPipeline {
  return { ...entry.report, receivedAt: entry.receivedAt, stale: isStale(entry.report, now) };
}
