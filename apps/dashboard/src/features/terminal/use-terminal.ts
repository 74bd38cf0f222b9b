import { useEffect, useRef, useState, type RefObject } from 'react';
import { Terminal } from '@xterm/xterm';
import { binaryInputFrame, inputFrame } from './frames';
import { fitFontSize } from './fit';
import { TerminalConnection, type TerminalStatus } from './terminal-connection';

/** Flotilla's pane size (decision 23), until `hello` says otherwise. */
const DEFAULT_COLS = 200;
const DEFAULT_ROWS = 50;
const MAX_FONT = 14;
/** Smaller than this is not readable: the terminal scrolls sideways instead. */
const MIN_FONT = 10;
const FONT = "ui-monospace, 'SFMono-Regular', 'DejaVu Sans Mono', Menlo, Consolas, monospace";

export type FitMode = 'fit' | 'actual';

export interface TerminalHandle {
  status: TerminalStatus;
  /** The latest `error` frame or refused unlock, in words. */
  notice: string | null;
  unlocked: boolean;
  scrolls: boolean;
  unlock(token: string): void;
  lock(): void;
}

/**
 * Mounts xterm (DOM renderer: the screen's text is in the page) into `host`, fed by the session's
 * stream. The terminal keeps the pane's size; `mode` fits it to `frame`'s width with the font size
 * (never with a resize), or shows it at full size with sideways scrolling.
 */
export function useTerminal(options: { name: string; host: RefObject<HTMLDivElement | null>; frame: RefObject<HTMLDivElement | null>; mode: FitMode; ended: boolean }): TerminalHandle {
  const { name, host, frame, mode, ended } = options;
  const [status, setStatus] = useState<TerminalStatus>({ kind: 'connecting' });
  const [notice, setNotice] = useState<string | null>(null);
  const [scrolls, setScrolls] = useState(false);
  const connection = useRef<TerminalConnection | null>(null);
  const term = useRef<Terminal | null>(null);
  const refit = useRef<() => void>(() => undefined);
  const endedAtMount = useRef(ended);

  useEffect(() => {
    const element = host.current;
    if (!element) return undefined;
    const terminal = new Terminal({ cols: DEFAULT_COLS, rows: DEFAULT_ROWS, fontSize: MAX_FONT, fontFamily: FONT, disableStdin: true, cursorBlink: false, scrollback: 2000 });
    terminal.open(element);
    term.current = terminal;
    // Read-only, the terminal is no keyboard trap: Tab moves on and its input box is skipped.
    // Unlocked, every key (Tab too, agents use it) goes to the pane.
    let typing = false;
    terminal.attachCustomKeyEventHandler((event) => typing || event.key !== 'Tab');
    terminal.textarea?.setAttribute('tabindex', '-1');
    const conn = new TerminalConnection({
      name,
      events: {
        status(next) {
          setStatus(next);
          typing = next.kind === 'live' && !next.readOnly;
          terminal.options.disableStdin = !typing;
          terminal.textarea?.setAttribute('tabindex', typing ? '0' : '-1');
        },
        hello(hello) {
          terminal.reset();
          if (hello.cols !== terminal.cols || hello.rows !== terminal.rows) terminal.resize(hello.cols, hello.rows);
          refit.current();
          if (!hello.readOnly) {
            setNotice(null);
            terminal.focus();
          }
        },
        output: (bytes) => terminal.write(bytes),
        notice: setNotice,
        inputRefused: setNotice,
      },
    });
    connection.current = conn;
    const data = terminal.onData((text) => conn.send(inputFrame(text)));
    const binary = terminal.onBinary((bytes) => conn.send(binaryInputFrame(bytes)));
    // An exited session has no stream: the daemon would refuse it.
    if (endedAtMount.current) setStatus({ kind: 'ended', reason: 'session ended' });
    else conn.start();
    return () => {
      conn.stop();
      data.dispose();
      binary.dispose();
      terminal.dispose();
      connection.current = null;
      term.current = null;
    };
  }, [name, host]);

  useEffect(() => {
    if (ended) connection.current?.stop({ kind: 'ended', reason: 'session ended' });
  }, [ended]);

  useEffect(() => {
    refit.current = () => {
      const terminal = term.current;
      const width = frame.current?.clientWidth ?? 0;
      const screen = terminal?.element?.querySelector<HTMLElement>('.xterm-screen');
      if (!terminal || !screen || width <= 0) return;
      const fontSize = terminal.options.fontSize ?? MAX_FONT;
      const cellRatio = screen.getBoundingClientRect().width / (terminal.cols * fontSize);
      const fit = fitFontSize({ availableWidth: width, cols: terminal.cols, cellRatio, minFontSize: mode === 'fit' ? MIN_FONT : MAX_FONT, maxFontSize: MAX_FONT });
      if (Math.abs(fit.fontSize - fontSize) >= 0.5) terminal.options.fontSize = fit.fontSize;
      setScrolls(fit.scrolls);
    };
    refit.current();
    const element = frame.current;
    if (!element || typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(() => refit.current());
    observer.observe(element);
    return () => observer.disconnect();
  }, [frame, mode]);

  return {
    status,
    notice,
    scrolls,
    unlocked: status.kind === 'live' && !status.readOnly,
    unlock: (token) => {
      setNotice(null);
      connection.current?.unlock(token);
    },
    lock: () => connection.current?.lock(),
  };
}
