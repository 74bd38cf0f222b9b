import { TerminalServerMessageSchema, type TerminalServerMessage } from '@flotilla/protocol';

/**
 * The terminal stream's frames (protocol: terminal.ts in @flotilla/protocol). `data` is base64 both
 * ways: the pane's bytes go to xterm as bytes (it decodes UTF-8 across chunk boundaries itself),
 * and what a person types reaches the pane byte-exact.
 */

/** The bytes of a base64 `output` frame. */
export function decodeBase64(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Base64 of bytes, in slices so a large paste never overflows the argument list. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const utf8 = new TextEncoder();

/** The `input` frame for text xterm hands over (`onData`): UTF-8 bytes. */
export function inputFrame(text: string): string {
  return JSON.stringify({ type: 'input', data: encodeBase64(utf8.encode(text)) });
}

/** The `input` frame for xterm's `onBinary` (a string of byte values 0–255, e.g. mouse reports). */
export function binaryInputFrame(binary: string): string {
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i) & 0xff;
  return JSON.stringify({ type: 'input', data: encodeBase64(bytes) });
}

/** One server frame, checked against the protocol; null for anything else (ignored, never fatal). */
export function parseServerFrame(text: unknown): TerminalServerMessage | null {
  if (typeof text !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const result = TerminalServerMessageSchema.safeParse(value);
  return result.success ? result.data : null;
}

/**
 * The stream's URL on the page's own origin (`ws:` or `wss:`). With `token`, it asks for input:
 * the daemon then requires its full token, which no cookie stands for.
 */
export function terminalUrl(origin: { protocol: string; host: string }, name: string, token?: string): string {
  const scheme = origin.protocol === 'https:' ? 'wss:' : 'ws:';
  const base = `${scheme}//${origin.host}/api/sessions/${encodeURIComponent(name)}/terminal`;
  return token === undefined ? base : `${base}?${new URLSearchParams({ input: '1', token }).toString()}`;
}
