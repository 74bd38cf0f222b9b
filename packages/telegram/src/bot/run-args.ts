/**
 * `/run` words: `@host`, `#repo`, `model:NAME` and `worktree` at the start or the end of the text
 * are options; the words between them are the prompt, as typed. Only the edges count, so "clean up
 * the worktree code" keeps its words (a trailing `@name` is still read as the host).
 */
import { z } from 'zod';
import { HostNameSchema } from '@flotilla/protocol';

export const RunArgsSchema = z.object({
  prompt: z.string().min(1, 'the prompt is empty'),
  host: HostNameSchema.optional(),
  repo: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  worktree: z.boolean(),
});
export type RunArgs = z.infer<typeof RunArgsSchema>;

/**
 * @example parseRunArgs('@dragon #api model:opus worktree fix the flaky test')
 * // { ok: true, value: { prompt: 'fix the flaky test', host: 'dragon', repo: 'api', model: 'opus', worktree: true } }
 */
export function parseRunArgs(text: string): { ok: true; value: RunArgs } | { ok: false; issue: string } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const options: Partial<RunArgs> = {};
  const take = (word: string | undefined): boolean | string => {
    const option = word === undefined ? null : readOption(word);
    if (option === null) return false;
    const [key, value] = option;
    if (key in options) return `${word}: ${key} given twice`;
    Object.assign(options, { [key]: value });
    return true;
  };
  let first = 0;
  let last = words.length;
  for (let taken = take(words[first]); taken !== false; taken = take(words[first])) {
    if (typeof taken === 'string') return { ok: false, issue: taken };
    first += 1;
  }
  for (let taken = last > first ? take(words[last - 1]) : false; taken !== false; taken = last > first ? take(words[last - 1]) : false) {
    if (typeof taken === 'string') return { ok: false, issue: taken };
    last -= 1;
  }
  const body = text.trim();
  const prompt = words.slice(first, last).length === 0 ? '' : promptBetween(body, words, first, last);
  const parsed = RunArgsSchema.safeParse({ worktree: false, ...options, prompt });
  if (!parsed.success) return { ok: false, issue: parsed.error.issues.map((i) => i.message).join('; ') };
  return { ok: true, value: parsed.data };
}

/** The original text from word `first` to word `last - 1`, line breaks and spacing kept. */
function promptBetween(body: string, words: string[], first: number, last: number): string {
  let start = 0;
  for (let i = 0; i < first; i += 1) start = body.indexOf(words[i] as string, start) + (words[i] as string).length;
  let end = body.length;
  for (let i = words.length - 1; i >= last; i -= 1) end = body.lastIndexOf(words[i] as string, end - (words[i] as string).length);
  return body.slice(start, end).trim();
}

function readOption(word: string): [keyof RunArgs, string | boolean] | null {
  if (/^@[A-Za-z0-9][A-Za-z0-9._-]*$/.test(word)) return ['host', word.slice(1)];
  if (/^#[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(word)) return ['repo', word.slice(1)];
  if (/^model:\S+$/.test(word)) return ['model', word.slice('model:'.length)];
  if (word === 'worktree') return ['worktree', true];
  return null;
}
