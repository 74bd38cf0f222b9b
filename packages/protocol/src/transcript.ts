import { z } from 'zod';

/** One readable item of an agent's transcript, parsed from its raw event log. */
export const TranscriptEntrySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), at: z.number().int(), text: z.string() }),
  z.object({
    type: z.literal('tool_call'),
    at: z.number().int(),
    id: z.string(),
    tool: z.string(),
    input: z.unknown(),
  }),
  z.object({
    type: z.literal('tool_result'),
    at: z.number().int(),
    id: z.string(),
    output: z.string(),
    isError: z.boolean(),
  }),
  z.object({
    type: z.literal('edit'),
    at: z.number().int(),
    path: z.string(),
    /** Unified diff of the change (for a created file: every line added). */
    diff: z.string(),
  }),
  z.object({
    type: z.literal('command'),
    at: z.number().int(),
    command: z.string(),
    output: z.string(),
    exitCode: z.number().int().nullable(),
  }),
  z.object({ type: z.literal('final'), at: z.number().int(), text: z.string(), isError: z.boolean() }),
  z.object({ type: z.literal('notice'), at: z.number().int(), text: z.string() }),
]);
export type TranscriptEntry = z.infer<typeof TranscriptEntrySchema>;

export const TranscriptSchema = z.object({
  jobId: z.string(),
  attempt: z.number().int(),
  entries: z.array(TranscriptEntrySchema),
});
export type Transcript = z.infer<typeof TranscriptSchema>;

/** A slice of an attempt's raw event log, by byte offset. */
export const LogChunkSchema = z.object({
  attempt: z.number().int(),
  offset: z.number().int().nonnegative(),
  nextOffset: z.number().int().nonnegative(),
  data: z.string(),
  /** True when the attempt has ended and `nextOffset` is the end of the log. */
  complete: z.boolean(),
});
export type LogChunk = z.infer<typeof LogChunkSchema>;
