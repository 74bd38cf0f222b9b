import type { TranscriptEntry } from '@flotilla/protocol';
import type { AgentAdapter } from './types.js';

/** Longest tool output kept in a transcript entry; the raw event log keeps everything. */
export const TRANSCRIPT_OUTPUT_CHARS = 10_000;

/**
 * Turns raw event lines into transcript entries one line at a time, remembering what it needs
 * across lines (Claude: which tool a result belongs to, so Bash results become `command` entries).
 */
export interface Transcriber {
  /** Entries for the next raw line; `at` is the line's index since the transcriber was created. */
  push(line: string): TranscriptEntry[];
}

/**
 * An adapter that can also transcribe live. `transcript([line])` on single lines works too, but a
 * transcriber fed every line of an attempt gives the same entries as `transcript(allLines)`.
 */
export interface StreamingAgentAdapter extends AgentAdapter {
  createTranscriber(): Transcriber;
}

/** Runs a transcriber over all lines. */
export function transcribeAll(transcriber: Transcriber, lines: readonly string[]): TranscriptEntry[] {
  return lines.flatMap((line) => transcriber.push(line));
}
