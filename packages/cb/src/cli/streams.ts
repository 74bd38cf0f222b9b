/** The user-facing output of the CLI, injected so that tests can capture it. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface InputStream extends AsyncIterable<string | Buffer> {
  isTTY?: boolean;
}

export interface CliStreams {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: InputStream;
}

export function processStreams(): CliStreams {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

/** Prints exactly one JSON document. */
export function printJson(out: OutputStream, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(out: OutputStream, text = ''): void {
  out.write(`${text}\n`);
}

export async function readAll(input: InputStream): Promise<string> {
  let text = '';
  for await (const chunk of input) text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
  return text;
}

/** Width to fit tables and truncated lines into: the terminal's, or a generous default when piped. */
export function widthOf(out: OutputStream): number {
  return out.isTTY && out.columns ? out.columns : 160;
}
