/**
 * What an adopted agent's tracker needs that hooks would have told it: an adopted agent was not
 * started with Flotilla's settings, so no hook ever names its transcript (where Claude's prompt
 * receipts are read). Adoption writes one record into the session's hook log, in the recorder's
 * format, with an event no state table knows (`FlotillaAdopted`): the tracker takes the
 * transcript path and the conversation id from it and changes no state.
 */
import { appendFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HOOK_LOG_FILE } from '../signals/index.js';

export const ADOPTION_EVENT = 'FlotillaAdopted';

/** `<home>/.claude/projects/<munged cwd>/<sessionId>.jsonl`, found without re-deriving Claude's munging. */
export async function findClaudeTranscript(home: string, sessionId: string): Promise<string | null> {
  const projects = join(home, '.claude', 'projects');
  const dirs = await readdir(projects).catch(() => [] as string[]);
  for (const dir of dirs) {
    const path = join(projects, dir, `${sessionId}.jsonl`);
    if (await stat(path).then((s) => s.isFile(), () => false)) return path;
  }
  return null;
}

/** Appends the adoption record to `<dir>/hooks.jsonl`; returns the transcript it names, or null (then nothing is written). */
export async function recordAdoption(dir: string, options: { home: string; agentSessionId: string | null; cwd: string }): Promise<string | null> {
  if (!options.agentSessionId) return null;
  const transcript = await findClaudeTranscript(options.home, options.agentSessionId);
  if (!transcript) return null;
  const record = { at: Date.now(), event: ADOPTION_EVENT, payload: { session_id: options.agentSessionId, transcript_path: transcript, cwd: options.cwd } };
  await appendFile(join(dir, HOOK_LOG_FILE), `${JSON.stringify(record)}\n`, { mode: 0o600 });
  return transcript;
}
