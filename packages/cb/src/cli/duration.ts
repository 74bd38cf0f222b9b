import { UsageError } from './errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/**
 * Parses `90s`, `15m`, `2h`, `1h30m`, `1.5h`, `500ms`, `2d` or a bare number of milliseconds.
 * @example parseDuration('15m') // 900000
 */
export function parseDuration(text: string): number {
  const input = text.trim().toLowerCase();
  let ms: number | undefined;
  if (/^\d+$/.test(input)) ms = Number(input);
  else if (input !== '') {
    PART.lastIndex = 0;
    let total = 0;
    let end = 0;
    let match: RegExpExecArray | null;
    while ((match = PART.exec(input)) !== null) {
      total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
      end = PART.lastIndex;
    }
    if (end === input.length) ms = Math.round(total);
  }
  if (ms === undefined || !Number.isSafeInteger(ms) || ms <= 0) {
    throw new UsageError(`invalid duration "${text}"`, 'use e.g. 90s, 15m, 2h, 1h30m or a number of milliseconds');
  }
  return ms;
}

/**
 * A short human duration: `850ms`, `12s`, `3m 05s`, `2h 03m`, `3d 4h`.
 * @example formatDuration(185_000) // '3m 05s'
 */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1_000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}
