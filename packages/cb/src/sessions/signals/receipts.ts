/**
 * Prompt receipts from the agent's transcript: Claude's `user` lines and `queue-operation` lines
 * (text sent while busy is queued; its UserPromptSubmit hook fires only after the current turn),
 * Codex's `user_message` events. Files are read incrementally, from where the last scan ended.
 */
import { open } from 'node:fs/promises';

/** How prompts are compared: Claude turns a tab into 4 spaces; line ends and outer space don't count. */
export function normalizePrompt(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').trim();
}

export interface PromptSighting {
  /** Normalized text. */
  text: string;
  /** Epoch ms. */
  at: number;
}

/** Text of a message `content`: a string, or the text blocks of an array. */
function contentText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const texts = content
    .map((block) => (block as { type?: unknown; text?: unknown } | null) ?? {})
    .filter((block) => (block.type === 'text' || block.type === 'input_text') && typeof block.text === 'string')
    .map((block) => block.text as string);
  return texts.length > 0 ? texts.join('\n') : null;
}

function timestampOf(line: Record<string, unknown>): number | null {
  const value = line.timestamp;
  const at = typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : Number.NaN;
  return Number.isFinite(at) ? at : null;
}

/** The prompt a transcript line records, if any (Claude and Codex formats). */
export function promptFromTranscriptLine(line: unknown): PromptSighting | null {
  if (typeof line !== 'object' || line === null) return null;
  const o = line as Record<string, unknown>;
  const at = timestampOf(o);
  if (at === null) return null;
  let text: string | null = null;
  if (o.type === 'user' && o.isMeta !== true) {
    const message = o.message as { role?: unknown; content?: unknown } | undefined;
    text = contentText(message?.content);
  } else if (o.type === 'queue-operation') {
    text = [o.content, o.prompt, o.value].find((v): v is string => typeof v === 'string') ?? null;
  } else if (o.type === 'event_msg') {
    const payload = o.payload as { type?: unknown; message?: unknown } | undefined;
    if (payload?.type === 'user_message' && typeof payload.message === 'string') text = payload.message;
  }
  return text === null ? null : { text: normalizePrompt(text), at };
}

/** Follows transcript files by path, keeping every prompt seen so far. */
export interface TranscriptPrompts {
  /** Reads what was appended to the known files since the last scan. */
  scan(): Promise<void>;
  add(path: string): void;
  prompts(): readonly PromptSighting[];
}

export function createTranscriptPrompts(): TranscriptPrompts {
  const offsets = new Map<string, number>();
  const seen: PromptSighting[] = [];
  const scanFile = async (path: string): Promise<void> => {
    const handle = await open(path, 'r').catch(() => undefined);
    if (!handle) return;
    try {
      const from = offsets.get(path) ?? 0;
      const { size } = await handle.stat();
      if (size <= from) return;
      const buffer = Buffer.alloc(size - from);
      await handle.read(buffer, 0, buffer.length, from);
      const end = buffer.lastIndexOf(0x0a);
      if (end < 0) return;
      offsets.set(path, from + end + 1);
      for (const raw of buffer.subarray(0, end).toString('utf8').split('\n')) {
        const sighting = parseLine(raw);
        if (sighting) seen.push(sighting);
      }
    } finally {
      await handle.close();
    }
  };
  return {
    add: (path) => {
      if (!offsets.has(path)) offsets.set(path, 0);
    },
    scan: async () => {
      for (const path of offsets.keys()) await scanFile(path);
    },
    prompts: () => seen,
  };
}

function parseLine(raw: string): PromptSighting | null {
  if (!raw.includes('"user"') && !raw.includes('queue-operation') && !raw.includes('user_message')) return null;
  try {
    return promptFromTranscriptLine(JSON.parse(raw));
  } catch {
    return null;
  }
}

/** Screens render tabs and runs of spaces their own way: compare with whitespace collapsed. */
const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The screen shows the prompt's last line (the weakest receipt: custom agents, or hooks broken). */
export function screenShowsPrompt(screen: string, text: string): boolean {
  const lastLine = squash(normalizePrompt(text).split('\n').at(-1) ?? '').slice(0, 80);
  return lastLine !== '' && screen.split('\n').some((line) => squash(line).includes(lastLine));
}

/**
 * Codex queues text sent while it works and shows it on screen only (no hook, no rollout line yet):
 * `• Messages to be submitted after next tool call …` then `  ↳ <first line>`.
 */
export function codexQueuedOnScreen(screen: string, text: string): boolean {
  const firstLine = squash(normalizePrompt(text).split('\n')[0] ?? '').slice(0, 60);
  if (firstLine === '' || !/Messages to be submitted/.test(screen)) return false;
  return screen.split('\n').some((line) => /^\s*↳ /.test(line) && squash(line).includes(firstLine));
}
