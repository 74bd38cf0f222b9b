/**
 * The storm pause as an alert people hear about (issue 8 point 4: "pauses … and says so once"):
 * when the ledger's pause begins, one notification ("director@dragon paused until 03:40 UTC"), and
 * one more when it is over. What was said is kept in the ledger's `director_state` beside the pause
 * itself, so a restarted director — or another one on the same ledger — says it once, not again.
 * A notification that could not be sent is not recorded, and is tried again at the next report.
 */
import type { NotificationRequest } from '@flotilla/protocol';
import { z } from 'zod';
import { loadPauseState } from '../ledger/director-state.js';
import type { Ledger } from '../ledger/ledger.js';

const ALERT_KEY = 'pause_alert';

/** The pause (by when it started, epoch ms) whose beginning was announced, and whether its end was too. */
const PauseAlertSchema = z.object({ startedAt: z.number(), ended: z.boolean() });

export interface PauseAlertOptions {
  ledger: Ledger;
  directorId: string;
  /** The agent the director runs (`models.agent`), named in the alert. */
  agent: string;
  notify(notification: NotificationRequest): Promise<void>;
  /** How a time is written in the title (default HH:MM in this machine's time zone, with its name). */
  formatTime?: (epochMs: number) => string;
}

/**
 * Sends what is due about the pause, at most one notification per change; returns what was sent.
 *
 * @example
 * await announcePause({ ledger, directorId: 'director@dragon', agent: 'claude', notify: (n) => pipeline.notify(n) }, Date.now());
 */
export async function announcePause(options: PauseAlertOptions, now: number): Promise<NotificationRequest | null> {
  const pause = (await loadPauseState(options.ledger))?.pause ?? null;
  const parsed = PauseAlertSchema.safeParse(await options.ledger.getState(ALERT_KEY));
  const said = parsed.success ? parsed.data : null;
  const time = options.formatTime ?? clockTime;
  if (pause !== null && pause.until > now) {
    if (said?.startedAt === pause.startedAt) return null;
    const notification: NotificationRequest = {
      title: `${options.directorId} paused until ${time(pause.until)}`,
      body: `${pause.reason} (${options.agent}). Nothing is dispatched until ${new Date(pause.until).toISOString()}, and no ticket loses an attempt; \`mesh director status\` shows the pipeline.`,
      level: 'warning',
      kind: 'director.pause',
    };
    await options.notify(notification);
    await options.ledger.setState(ALERT_KEY, { startedAt: pause.startedAt, ended: false });
    return notification;
  }
  if (said === null || said.ended) return null;
  const notification: NotificationRequest = {
    title: `${options.directorId} resumed`,
    body: `the pause since ${time(said.startedAt)} is over; tickets are dispatched again.`,
    level: 'info',
    kind: 'director.resume',
  };
  await options.notify(notification);
  await options.ledger.setState(ALERT_KEY, { ...said, ended: true });
  return notification;
}

/** `03:40 UTC`: the hour and minute in this machine's time zone, named. */
export function clockTime(epochMs: number): string {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(new Date(epochMs));
}
