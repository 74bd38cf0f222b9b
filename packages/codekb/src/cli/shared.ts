import { InvalidArgumentError } from 'commander';

/** Flags every repository command takes. */
export interface RepoFlags {
  repo?: string;
  db?: string;
  json?: boolean;
}

export function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

/** Prints `data` as JSON with --json, else the text for a person. */
export function emit(flags: { json?: boolean }, data: unknown, text: string): void {
  process.stdout.write(`${flags.json === true ? JSON.stringify(data, null, 2) : text}\n`);
}
