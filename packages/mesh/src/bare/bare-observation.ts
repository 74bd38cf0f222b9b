/**
 * What one look at a bare host shows: which of its tmux sessions live, and the state files and
 * records of its jobs and sessions (the output of `pollScript` / `loadScript`), parsed and checked.
 */
import { z } from 'zod';
import { JobSchema, SessionSchema, TimestampSchema, type Job, type Session } from '@flotilla/protocol';

/** A job's or session's state files, as found. */
export interface StateFiles {
  started: string | null;
  exit: { code: number; at: string } | null;
  cancelled: string | null;
  lost: string | null;
  ended: string | null;
  result: BareResult | null;
}

/** What the hub read from a finished job's output (kept on the host as `result.json`). */
export const BareResultSchema = z.object({
  result: z.string().nullable(),
  agentSessionId: z.string().nullable(),
  /** The agent itself reported an error (Claude's `is_error`). */
  agentError: z.boolean(),
  tail: z.string(),
});
export type BareResult = z.infer<typeof BareResultSchema>;

export interface Observation {
  /** tmux session name → pane dead? */
  tmux: Map<string, boolean>;
  /** `jobs/<id>` or `sessions/<id>` → files found. */
  files: Map<string, StateFiles>;
  jobRecords: Job[];
  sessionRecords: Session[];
  /** Lines that could not be read (malformed records or files), in words. */
  problems: string[];
}

const EMPTY: StateFiles = { started: null, exit: null, cancelled: null, lost: null, ended: null, result: null };

export function emptyStateFiles(): StateFiles {
  return { ...EMPTY };
}

/** Parses the output of `pollScript` or `loadScript`. */
export function parseObservation(stdout: string): Observation {
  const observation: Observation = { tmux: new Map(), files: new Map(), jobRecords: [], sessionRecords: [], problems: [] };
  for (const line of stdout.split('\n')) {
    if (line.startsWith('T ')) {
      const [, name = '', dead = '0'] = line.split(' ');
      if (name) observation.tmux.set(name, dead === '1');
    } else if (line.startsWith('R ')) readRecord(line, observation);
    else if (line.startsWith('F ')) readStateFile(line, observation);
  }
  return observation;
}

function readRecord(line: string, observation: Observation): void {
  const [, dir = ''] = line.split(' ', 2);
  const text = line.slice(3 + dir.length);
  try {
    const value = JSON.parse(text) as unknown;
    if (dir.startsWith('jobs/')) observation.jobRecords.push(JobSchema.parse(value));
    else observation.sessionRecords.push(SessionSchema.parse(value));
  } catch (error) {
    observation.problems.push(`${dir}/record.json: ${(error as Error).message.slice(0, 200)}`);
  }
}

function readStateFile(line: string, observation: Observation): void {
  const [, dir = '', file = ''] = line.split(' ', 3);
  const value = line.slice(4 + dir.length + file.length).trim();
  const files = observation.files.get(dir) ?? emptyStateFiles();
  observation.files.set(dir, files);
  const time = (text: string): string | null => (TimestampSchema.safeParse(text).success ? text : null);
  if (file === 'started' || file === 'cancelled' || file === 'lost' || file === 'ended') {
    files[file] = time(value);
    if (files[file] === null) observation.problems.push(`${dir}/${file}: not a time: ${value.slice(0, 80)}`);
  } else if (file === 'exit') {
    const match = /^(\d+) (\S+)$/.exec(value);
    files.exit = match && time(match[2]!) ? { code: Number(match[1]), at: match[2]! } : null;
    if (files.exit === null) observation.problems.push(`${dir}/exit: unreadable: ${value.slice(0, 80)}`);
  } else if (file === 'result.json') {
    const parsed = BareResultSchema.safeParse(safeJson(value));
    files.result = parsed.success ? parsed.data : null;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
