/**
 * A watcher reads the raw bytes its pane wrote (pane.log): colour and cursor escapes, `\r\n`
 * line ends and progress lines redrawn with a bare `\r`. This turns one `\n`-ended line of that
 * into the text a person would read.
 */

/**
 * Terminal escape sequences: CSI (`ESC [` … final byte, colours and cursor moves), OSC (`ESC ]` …
 * BEL or ST: titles, hyperlinks), DCS/SOS/PM/APC strings (`ESC P|X|^|_` … ST), the 8-bit CSI, and
 * the two- or three-byte escapes (`ESC ( B`, `ESC 7`, `ESC =`). An unterminated string runs to the
 * end of the line.
 */
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\|$)|\x1b[PX^_][^\x1b]*(?:\x1b\\|$)|\u009b[0-?]*[ -/]*[@-~]|\x1b[ -/]*[0-~]?/g;
/** Control characters other than tab and carriage return (which splits), e.g. BEL, backspace, shift-in. */
const CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

/** One piece of output as read: a `\r` ends a piece that the terminal overwrites with the next one. */
export interface TextSegment {
  text: string;
  /** Ended by a bare `\r` (a progress line): the next segment replaces it on the screen. */
  transient: boolean;
}

/** The text without escape sequences and control characters (tabs kept), trailing blanks trimmed. */
export function stripTerminal(raw: string): string {
  return raw.replace(ESCAPES, '').replace(CONTROLS, '').trimEnd();
}

/**
 * Splits one line of raw output (its `\n` already removed) into what was shown: `\r\n` is an
 * ordinary line end; each bare `\r` ends a transient segment (a progress line the next one
 * overwrites). Empty segments are dropped.
 *
 * @example
 * terminalSegments('\x1b[32mok\x1b[0m 10%\r ok 100%\r')
 * // [{ text: 'ok 10%', transient: true }, { text: ' ok 100%', transient: false }]
 */
export function terminalSegments(raw: string): TextSegment[] {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const parts = line.split('\r');
  const segments: TextSegment[] = [];
  parts.forEach((part, i) => {
    const text = stripTerminal(part);
    if (text.trim() !== '') segments.push({ text, transient: i < parts.length - 1 });
  });
  return segments;
}
