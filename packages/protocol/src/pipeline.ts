/**
 * The director's pipeline as it pushes it to the hub (`PUT /api/pipeline/:directorId`, issue 8
 * points 4, 5 and 7): per director its queue per repo, the batches in flight with their stage, step,
 * attempts and model, its storm pause and why, what it delivered in the last 24 hours, failures by
 * kind, and its flows with every step's job, verdict and a note excerpt. The hub keeps the latest
 * report per director and answers `GET /api/pipeline` with all of them, each marked `stale` when
 * its director has not reported for a while. `POST /api/notifications` is how a client (the
 * director's pause alert) says something every dashboard and the Telegram bot show.
 */
import { z } from 'zod';
import { TimestampSchema } from './common.js';
import { errorFromEnvelope } from './errors.js';
import type { Transport, TransportRequest } from './transport.js';

/** A director's id (`director@dragon`): what `--id` gives, safe in a URL path segment. */
export const DirectorIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9@._:+-]*$/, 'a director id is letters, digits and @ . _ : + - (starting with a letter or digit)');

/** At most this many tickets are listed per repo's queue (`count` says how many wait in all). */
export const MAX_QUEUE_LISTED = 50;
/** At most this many deliveries, give-ups and flows per report. */
export const MAX_PIPELINE_ITEMS = 100;
/** A step's note is cut to this many characters in a report (`flow show` has it whole). */
export const MAX_NOTE_EXCERPT = 600;

const short = (max: number) => z.string().max(max);

export const PipelineTicketSchema = z.object({ key: short(300), title: short(500) });
export type PipelineTicket = z.infer<typeof PipelineTicketSchema>;

export const PipelineQueueSchema = z.object({
  repo: short(200),
  /** Tickets routed to this repo and waiting (not in a batch, not finished). */
  count: z.number().int().nonnegative(),
  /** The first MAX_QUEUE_LISTED of them. */
  tickets: z.array(PipelineTicketSchema).max(MAX_QUEUE_LISTED),
});

export const PipelineInFlightSchema = z.object({
  batchId: short(200),
  repo: short(200),
  branch: short(500),
  /** Where the batch is: claimed → worked (job done) → pushed → finished. */
  stage: z.enum(['claimed', 'worked', 'pushed', 'finished']),
  /** A director holds it right now (its lease runs); otherwise it waits for its next attempt. */
  active: z.boolean(),
  owner: short(200).nullable(),
  tickets: z.array(PipelineTicketSchema.extend({ failedAttempts: z.number().int().nonnegative() })),
  /** `used`: attempts the tickets were charged (infrastructure failures cost none); `allowed`: the config's `attempts`. */
  attempts: z.object({ total: z.number().int().nonnegative(), used: z.number().int().nonnegative(), free: z.number().int().nonnegative(), allowed: z.number().int().positive().nullable() }),
  /** The last attempt's model, null before the first attempt. */
  model: short(200).nullable(),
  /** The attempt's job is running now. */
  running: z.boolean(),
  /** When the last attempt started (for "for how long"). */
  since: TimestampSchema.nullable(),
  /** The flow step running now, when the repo runs a flow (`implement`, `review-fix/review`). */
  step: short(200).nullable(),
  /** The flow of the last attempt (`flow show ID`), when the repo runs one. */
  flowId: short(300).nullable(),
  /** How the last attempt failed, when it did. */
  lastFailure: z.object({ kind: short(100), message: short(2000).nullable(), burned: z.boolean() }).nullable(),
});
export type PipelineInFlight = z.infer<typeof PipelineInFlightSchema>;

export const PipelinePauseSchema = z.object({
  until: TimestampSchema,
  /** In words: `12 of 15 runs this cycle were rate-limited or failed fast`. */
  reason: short(1000),
  since: TimestampSchema,
});
export type PipelinePause = z.infer<typeof PipelinePauseSchema>;

export const PipelineDeliverySchema = z.object({
  kind: z.enum(['pull_request', 'branch']),
  repo: short(200),
  branch: short(500),
  /** The pull request's link (GitHub), null for a branch recorded for review. Shown as a link only when http(s). */
  url: short(2000).nullable(),
  number: z.number().int().positive().nullable(),
  adopted: z.boolean(),
  note: short(2000).nullable(),
  at: TimestampSchema,
  tickets: z.array(PipelineTicketSchema),
});
export type PipelineDelivery = z.infer<typeof PipelineDeliverySchema>;

export const PipelineGaveUpSchema = z.object({ repo: short(200), branch: short(500), note: short(2000).nullable(), at: TimestampSchema, tickets: z.array(PipelineTicketSchema) });

export const PipelineLastCycleSchema = z.object({
  startedAt: TimestampSchema,
  endedAt: TimestampSchema,
  skipped: z.array(z.object({ ticket: short(300), title: short(500), reason: short(1000) })).max(MAX_PIPELINE_ITEMS),
  sourceErrors: z.array(z.object({ source: short(100), code: short(100), message: short(2000) })).max(MAX_PIPELINE_ITEMS),
  /** Each host's pre-flight; null when the cycle ran without one. */
  preflight: z.array(z.object({ host: short(253), ok: z.boolean(), detail: short(2000) })).nullable(),
});

export const PipelineStatusSchema = z.object({
  pause: PipelinePauseSchema.nullable(),
  lastCycle: PipelineLastCycleSchema.nullable(),
  queue: z.array(PipelineQueueSchema),
  inFlight: z.array(PipelineInFlightSchema).max(MAX_PIPELINE_ITEMS),
  /** Pull requests opened or adopted and branches recorded for review in the last 24 h, newest first. */
  delivered: z.array(PipelineDeliverySchema).max(MAX_PIPELINE_ITEMS),
  gaveUp: z.array(PipelineGaveUpSchema).max(MAX_PIPELINE_ITEMS),
  /** Attempts that ended failed in the last 24 h, by failure kind; `burned` of them used an attempt. */
  failures: z.array(z.object({ kind: short(100), count: z.number().int().positive(), burned: z.number().int().nonnegative() })),
});
export type PipelineStatus = z.infer<typeof PipelineStatusSchema>;

export const FLOW_STATES = ['running', 'approved', 'not_approved', 'completed', 'failed'] as const;

export const PipelineFlowStepSchema = z.object({
  /** Where the step sits in the flow's definition (`2`, or `1.0` inside a loop). */
  position: short(50),
  name: short(200),
  kind: z.enum(['work', 'review', 'command']),
  round: z.number().int().positive(),
  attempt: z.number().int().positive(),
  status: z.enum(['running', 'succeeded', 'failed']),
  agent: short(100).nullable(),
  model: short(200).nullable(),
  jobId: short(100).nullable(),
  verdict: z.enum(['approved', 'changes_requested']).nullable(),
  /** A review's findings by their check against the worktree. */
  findings: z.object({ verified: z.number().int().nonnegative(), unverified: z.number().int().nonnegative(), external: z.number().int().nonnegative() }).nullable(),
  /** The step's note, cut to MAX_NOTE_EXCERPT characters. */
  note: short(MAX_NOTE_EXCERPT + 1).nullable(),
  /** Why it failed, in words. */
  reason: short(2000).nullable(),
  startedAt: TimestampSchema,
  endedAt: TimestampSchema.nullable(),
});
export type PipelineFlowStep = z.infer<typeof PipelineFlowStepSchema>;

export const PipelineFlowSchema = z.object({
  id: short(300),
  name: short(200),
  repo: short(200),
  /** The task, cut to MAX_NOTE_EXCERPT characters. */
  task: short(MAX_NOTE_EXCERPT + 1),
  state: z.enum(FLOW_STATES),
  reason: short(2000).nullable(),
  branch: short(500),
  /** The step running now (or the last one begun), by name; null before the first. */
  currentStep: short(200).nullable(),
  /** The highest loop round begun. */
  rounds: z.number().int().nonnegative(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  endedAt: TimestampSchema.nullable(),
  steps: z.array(PipelineFlowStepSchema).max(200),
});
export type PipelineFlow = z.infer<typeof PipelineFlowSchema>;

/** What a director pushes after every cycle. */
export const DirectorReportSchema = z.object({
  id: DirectorIdSchema,
  /** The machine the director runs on. */
  host: short(253).min(1),
  /** When the report was built; a report older than the stored one is refused. */
  updatedAt: TimestampSchema,
  /** Seconds between its cycles: the hub calls a report stale after 3 of them (at least 10 minutes). */
  everySeconds: z.number().int().positive().max(86_400),
  status: PipelineStatusSchema,
  /** Its flows running now or ended in the last 24 h, newest first. */
  flows: z.array(PipelineFlowSchema).max(MAX_PIPELINE_ITEMS),
});
export type DirectorReport = z.infer<typeof DirectorReportSchema>;

/** A report as the hub answers it: when it arrived, and whether its director has gone quiet. */
export const DirectorPipelineSchema = DirectorReportSchema.extend({ receivedAt: TimestampSchema, stale: z.boolean() });
export type DirectorPipeline = z.infer<typeof DirectorPipelineSchema>;

/** A report is stale after 3 of its director's cycles without a new one, and never sooner than this. */
export const MIN_STALE_MS = 10 * 60_000;

export function staleAfterMs(report: Pick<DirectorReport, 'everySeconds'>): number {
  return Math.max(MIN_STALE_MS, 3 * report.everySeconds * 1000);
}

/** Whether a report built at `updatedAt` is stale at `now` (epoch ms). */
export function isStale(report: Pick<DirectorReport, 'everySeconds' | 'updatedAt'>, now: number): boolean {
  return now - Date.parse(report.updatedAt) > staleAfterMs(report);
}

/** `POST /api/notifications`: shown as an alert by every dashboard and sent by the Telegram bot. */
export const NotificationRequestSchema = z.object({
  title: z.string().trim().min(1).max(200),
  body: z.string().max(4000),
  level: z.enum(['info', 'success', 'warning', 'error']),
  /** What it is about, for clients that sort alerts (`director.pause`). */
  kind: z
    .string()
    .regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'a kind is lowercase letters, digits and . _ - (starting with a letter)')
    .optional(),
});
export type NotificationRequest = z.infer<typeof NotificationRequestSchema>;

/** The pipeline's calls over an injected transport; errors are `ProtocolError`s. */
export interface PipelineClient {
  /** Stores the director's report (latest wins; an older one than stored is a 409 `CONFLICT`). */
  report(report: DirectorReport): Promise<DirectorPipeline>;
  /** Every director's latest report, newest first. */
  list(): Promise<DirectorPipeline[]>;
  notify(notification: NotificationRequest): Promise<void>;
}

/**
 * @example
 * const pipeline = createPipelineClient(server.transport);
 * await pipeline.report(report);
 * await pipeline.notify({ title: 'director paused until 03:40 UTC', body: '12 of 15 runs…', level: 'warning', kind: 'director.pause' });
 */
export function createPipelineClient(transport: Transport): PipelineClient {
  async function call(req: TransportRequest): Promise<unknown> {
    const res = await transport.request(req);
    if (res.status >= 400) throw errorFromEnvelope(res.status, res.body);
    return res.body;
  }
  return {
    report: async (report) => DirectorPipelineSchema.parse(await call({ method: 'PUT', path: `/api/pipeline/${encodeURIComponent(report.id)}`, body: report })),
    list: async () => DirectorPipelineSchema.array().parse(await call({ method: 'GET', path: '/api/pipeline' })),
    notify: async (notification) => void (await call({ method: 'POST', path: '/api/notifications', body: notification })),
  };
}
