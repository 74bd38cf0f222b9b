/**
 * Notifications: the server's events in words, sent to every allowed user's chat — a job that
 * ended (with Retry / Show more / Resume), a session asking permission (Allow / Deny), a session
 * done with its turn, a rate-limit pause and its end, what the watchdog did. Each message is
 * remembered with its job or session, so a reply to it routes there.
 */
import type { Api, InlineKeyboard } from 'grammy';
import { isTerminal, type FlotillaClient, type FlotillaEvent, type Session } from '@flotilla/protocol';
import { describeError } from './errors.js';
import { clip, code, escapeHtml, jobEndMessage } from './format.js';
import { permissionKeyboard, permissionQuestion } from './features/inbox.js';
import { jobKeyboard } from './features/jobs.js';
import { HTML } from './shared.js';
import type { BotState, Route } from './state.js';

/** A session's same wait announced once, however many state events repeat it. */
const MAX_ANNOUNCED = 1_000;

export interface NotifierDeps {
  api: Api;
  client: FlotillaClient;
  state: BotState;
  allowedUsers: readonly number[];
  log(line: string): void;
}

export interface Notifier {
  /** Sends what `event` means to every allowed chat; events nobody needs to hear are skipped. */
  handle(event: FlotillaEvent): Promise<void>;
}

export function createNotifier(deps: NotifierDeps): Notifier {
  const announced = new Set<string>();
  const sessionNames = new Map<string, string>();
  let previousType: FlotillaEvent['type'] | null = null;

  async function broadcast(html: string, options: { keyboard?: InlineKeyboard; route?: Route } = {}): Promise<void> {
    for (const chatId of deps.allowedUsers) {
      try {
        const sent = await deps.api.sendMessage(chatId, html, { ...HTML, reply_markup: options.keyboard });
        if (options.route) deps.state.setRoute(chatId, sent.message_id, options.route);
      } catch (error) {
        deps.log(`could not notify chat ${chatId}: ${describeError(error).message} (has this user sent /start to the bot?)`);
      }
    }
  }

  function once(key: string): boolean {
    if (announced.has(key)) return false;
    announced.add(key);
    if (announced.size > MAX_ANNOUNCED) announced.delete(announced.values().next().value as string);
    return true;
  }

  async function sessionState(session: Session, previous: Session['state']): Promise<void> {
    sessionNames.set(session.id, session.name);
    if (session.external) return;
    const route: Route = { kind: 'session', name: session.name };
    if (session.state === 'waiting_permission' && once(`${session.id}:${session.since}:permission`)) {
      await broadcast(permissionQuestion(session.name, session.waitingFor), { keyboard: permissionKeyboard(session.id), route });
    } else if (session.state === 'waiting_input' && previous === 'working' && once(`${session.id}:${session.since}:input`)) {
      await broadcast(`💬 ${code(session.name)} finished its turn and waits for you. Reply to this message to answer it.`, { route });
    }
  }

  async function notification(event: Extract<FlotillaEvent, { type: 'notification' }>, afterPause: boolean): Promise<void> {
    const text = `${event.level === 'error' ? '❌' : '⚠️'} <b>${escapeHtml(event.title)}</b>\n${escapeHtml(clip(event.body, 1500))}`;
    if (event.sessionId) {
      // `needs_you` repeats what the session.state event already asked, with its buttons.
      if (event.kind === 'needs_you') return;
      const name = sessionNames.get(event.sessionId) ?? (await lookUpSessionName(deps.client, event.sessionId));
      return broadcast(text, { route: name ? { kind: 'session', name } : undefined });
    }
    // A job's end is told from job.ended (with its buttons); a warning about a job is the watchdog's.
    if (event.jobId) return event.level === 'warning' ? broadcast(text, { route: { kind: 'job', jobId: event.jobId } }) : undefined;
    // The daemon announces a pause twice: pause.started, then its own notification (no kind) right
    // after it. Anything else right after a pause (a director's `director.pause` alert) is news.
    if (afterPause && event.kind === undefined) return;
    await broadcast(text);
  }

  async function handle(event: FlotillaEvent): Promise<void> {
    const afterPause = previousType === 'pause.started';
    previousType = event.type;
    switch (event.type) {
      case 'job.ended':
        if (!isTerminal(event.job.status)) return;
        return broadcast(jobEndMessage(event.job), { keyboard: jobKeyboard(event.job), route: { kind: 'job', jobId: event.job.id } });
      case 'session.state':
        return sessionState(event.session, event.previous);
      case 'session.created':
      case 'session.ended':
        sessionNames.set(event.session.id, event.session.name);
        return;
      case 'pause.started':
        return broadcast(`⏸ <b>${escapeHtml(event.pause.agent)} is rate-limited</b> on ${escapeHtml(event.pause.host)}\nIts jobs wait until ${escapeHtml(event.pause.resetsAt)}; they do not lose attempts.\n<i>${escapeHtml(clip(event.pause.message, 300))}</i>`);
      case 'pause.ended':
        return broadcast(`▶️ <b>${escapeHtml(event.pause.agent)}</b> on ${escapeHtml(event.pause.host)} is no longer rate-limited; its waiting jobs resume.`);
      case 'notification':
        return notification(event, afterPause);
      case 'resync':
        deps.log(`the event stream skipped ahead (${event.reason}); notifications from that gap were not sent`);
        return;
      default:
        return;
    }
  }

  return { handle };
}

async function lookUpSessionName(client: FlotillaClient, sessionId: string): Promise<string | null> {
  try {
    return (await client.listSessions({ all: true })).find((s) => s.id === sessionId)?.name ?? null;
  } catch {
    return null;
  }
}

/** Backoff between reconnects of the event stream: quick at first, then at most this. */
const MAX_RECONNECT_MS = 30_000;

/**
 * Follows `client.events()` until `signal` aborts, resuming after the last handled event id (kept
 * in the state, so a restart resumes too) and reconnecting with backoff when the stream drops.
 */
export async function followEvents(options: { client: FlotillaClient; state: BotState; notifier: Notifier; signal: AbortSignal; log(line: string): void }): Promise<void> {
  let delay = 500;
  while (!options.signal.aborted) {
    try {
      const lastEventId = options.state.lastEventId() ?? undefined;
      const stream = options.client.events({ lastEventId, signal: options.signal });
      for await (const event of stream) {
        delay = 500;
        try {
          await options.notifier.handle(event);
        } catch (error) {
          options.log(`notifying event ${event.id} (${event.type}) failed: ${describeError(error).message}`);
        }
        options.state.setLastEventId(event.id);
      }
    } catch (error) {
      if (options.signal.aborted) return;
      options.log(`the event stream dropped: ${describeError(error).message}; reconnecting in ${Math.round(delay / 1000)} s`);
    }
    await sleep(delay, options.signal);
    delay = Math.min(MAX_RECONNECT_MS, delay * 2);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
