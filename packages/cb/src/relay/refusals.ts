/**
 * A queued message the hub refuses later (unknown recipient, revoked token, validation) must not
 * vanish: by then the sender heard only "queued". The refusal becomes a `notification` event
 * (`kind: relay_refused`, level warning; SSE clients, the dashboard's alerts, the bot and a hub
 * following this daemon see it) naming the sender, the recipient, the first words and the hub's
 * reason, with the desktop / webhook / hook channels of a session notice for a session sender. A
 * sender that is a live session also gets a one-line notice typed into it, so the agent knows.
 * A job cannot be typed into; its notification carries its `jobId`.
 */
import createDebug from 'debug';
import type { Session } from '@flotilla/protocol';
import type { Config } from '../config.js';
import type { Bus } from '../daemon/bus.js';
import { createNotifier } from '../notify/notifier.js';
import { notifyDesktopText } from '../notify/desktop.js';
import type { SessionManager } from '../sessions/manager.js';
import type { JobStore } from '../store/types.js';
import { IDENTITY_HEADERS, SENDER_ID_HEADER } from './identity.js';
import type { OutboundMessage } from './store.js';

const debug = createDebug('cb:relay');
const PREVIEW_CHARS = 60;
export const REFUSED_NOTICE_KIND = 'relay_refused';

/** A message set aside for good: the hub answered it with a 4xx nobody was waiting for. */
export interface RefusedMessage {
  message: OutboundMessage;
  status: number;
  /** The hub's answer body (an error envelope, or whatever it sent). */
  body: unknown;
}

export interface RefusalDeps {
  store: Pick<JobStore, 'appendEvents'>;
  bus: Bus;
  config: Pick<Config, 'webhooks' | 'hooks' | 'notifySend'>;
  env: NodeJS.ProcessEnv;
  /** Absent in daemons without sessions (tests): no notice is typed anywhere. */
  sessions?: Pick<SessionManager, 'get' | 'send'>;
}

/** What the notice says: title and body for people, and the line typed into a sending session. */
export function describeRefusal(refused: RefusedMessage): { title: string; body: string; line: string } {
  const { message } = refused;
  const body = (message.body ?? {}) as { to?: unknown; text?: unknown; from?: unknown };
  const to = message.path === '/api/channel' ? 'the channel' : typeof body.to === 'string' ? body.to : 'its recipient';
  const from = typeof body.from === 'string' ? body.from : 'user';
  const text = typeof body.text === 'string' ? body.text.replace(/\s+/g, ' ').trim() : '';
  const preview = [...text].length > PREVIEW_CHARS ? `${[...text].slice(0, PREVIEW_CHARS - 1).join('').trimEnd()}…` : text;
  const reason = hubReason(refused);
  return {
    title: `message to ${to} refused by the hub`,
    body: `${from} → ${to}: "${preview}" (queued ${message.createdAt}, ${message.key}) was refused: ${reason}. It will not be sent again.`,
    line: `[flotilla] Your message to ${to} ("${preview}") was NOT delivered: the hub refused it (${reason}). It will not be retried; fix the recipient or text and send it again with cb msg.`,
  };
}

/** The hub's words: `CODE: message` from an error envelope, else the status and body. */
function hubReason(refused: RefusedMessage): string {
  const error = (refused.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (error && typeof error.message === 'string') return `${typeof error.code === 'string' ? `${error.code}: ` : ''}${error.message} (HTTP ${refused.status})`;
  return `HTTP ${refused.status} ${JSON.stringify(refused.body ?? null).slice(0, 300)}`;
}

/** Tells the user (notification and its channels) and a sending live session (a typed notice); resolves once the notification is stored. */
export async function announceRefusal(deps: RefusalDeps, refused: RefusedMessage): Promise<void> {
  const text = describeRefusal(refused);
  const headers = refused.message.headers;
  const jobId = headers[IDENTITY_HEADERS.job] ?? null;
  const sessionName = headers[IDENTITY_HEADERS.session] ?? null;
  const session = sessionName === null ? null : await senderSession(deps, sessionName, headers[SENDER_ID_HEADER]);
  const notice = { kind: REFUSED_NOTICE_KIND, title: text.title, body: text.body, level: 'warning' as const };
  await deps.store.appendEvents([{ type: 'notification', jobId, sessionId: session?.id ?? null, ...notice }]);
  deps.bus.notify();
  void people(deps, session, notice).catch((error: unknown) => debug('announcing a refused message failed: %o', error));
  // Typed in the background: a delivery waits for its receipt, and the outbox must not wait behind it.
  if (session !== null && session.state !== 'exited' && deps.sessions) {
    void deps.sessions.send(session.name, { text: text.line }).catch((error: unknown) => debug('the refusal notice did not reach session %s: %s', session.name, (error as Error).message));
  }
}

/** The sending session, only when it is the very one that sent (a later session may reuse the name). */
async function senderSession(deps: RefusalDeps, name: string, id: string | undefined): Promise<Session | null> {
  const session = await deps.sessions?.get(name).catch(() => null);
  if (!session || (id !== undefined && session.id !== id)) return null;
  return session;
}

/** Desktop, webhooks and the hook: a session sender's as a session notice, anyone else's on the desktop. */
async function people(deps: RefusalDeps, session: Session | null, notice: { kind: string; title: string; body: string; level: string }): Promise<void> {
  const notifier = createNotifier({ config: deps.config, record: (delivery) => debug('refusal notice to %s: %s', delivery.target, delivery.ok ? 'ok' : delivery.error), env: deps.env });
  try {
    if (session !== null) await notifier.sessionNotice(session, notice);
    else if (deps.config.notifySend) await notifyDesktopText(`cb ${notice.title}`, notice.body, { signal: AbortSignal.timeout(30_000), env: deps.env });
  } finally {
    await notifier.dispose();
  }
}
