import { Api } from 'grammy';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventSchema, createClient, type FlotillaEvent, type Session, type Transport } from '@flotilla/protocol';
import { createNotifier } from './notifier.js';
import { loadBotState, type BotState } from './state.js';

const AT = '2026-01-01T00:00:00.000Z';
const SESSION_ID = '01JABCDEFGHJKMNPQRSTVWXYZ1';
const JOB_ID = '01JABCDEFGHJKMNPQRSTVWXYZ2';
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A server that knows one session (for names looked up by id) and nothing else. */
const transport: Transport = {
  request: async (req) => (req.path === '/api/sessions' ? { status: 200, headers: {}, body: [session('working')] } : { status: 404, headers: {}, body: { error: { code: 'NOT_FOUND', message: 'no' } } }),
  stream: async () => {
    throw new Error('no streams here');
  },
};

function session(state: Session['state'], since = AT): Session {
  return {
    id: SESSION_ID, name: 'reviewer', host: 'box', kind: 'agent', agent: 'claude', model: null, cwd: '/repo', worktree: null, command: null, alerts: [],
    state, since, source: 'hook', waitingFor: state === 'waiting_permission' ? 'Bash: rm -rf build <all>' : null, tmuxSession: 'fl-reviewer',
    pid: 1, agentSessionId: null, external: false, restarts: 0, createdAt: AT, updatedAt: AT, endedAt: null,
  };
}

let nextId = 1;
function event(body: Record<string, unknown>): FlotillaEvent {
  return EventSchema.parse({ id: (nextId += 1), at: AT, host: 'box', ...body });
}

async function setup(): Promise<{ sent: { method: string; payload: Record<string, unknown> }[]; state: BotState; handle(e: FlotillaEvent): Promise<void> }> {
  dir = mkdtempSync(join(tmpdir(), 'tg-notify-'));
  const api = new Api('1:x');
  const sent: { method: string; payload: Record<string, unknown> }[] = [];
  api.config.use(async (_prev, method, payload) => {
    sent.push({ method, payload: payload as Record<string, unknown> });
    return { ok: true, result: { message_id: 500 + sent.length, date: 0, chat: { id: 1, type: 'private' } } } as never;
  });
  const state = await loadBotState(join(dir, 'state.json'));
  const notifier = createNotifier({ api, client: createClient(transport), state, allowedUsers: [7, 8], log: () => undefined });
  return { sent, state, handle: (e) => notifier.handle(e) };
}

describe('createNotifier', () => {
  it('should ask a permission question once per wait, to every allowed chat, with Allow and Deny', async () => {
    const { sent, state, handle } = await setup();
    await handle(event({ type: 'session.state', session: session('waiting_permission'), previous: 'working' }));
    await handle(event({ type: 'session.state', session: session('waiting_permission'), previous: 'waiting_permission' }));
    await handle(event({ type: 'notification', jobId: null, sessionId: SESSION_ID, kind: 'needs_you', title: 'reviewer needs you', body: 'asks', level: 'warning' }));
    expect(sent.map((s) => s.payload.chat_id)).toEqual([7, 8]);
    expect(sent[0]?.payload.text).toBe('✋ <code>reviewer</code> asks permission:\n<pre>Bash: rm -rf build &lt;all&gt;</pre>');
    expect(sent[0]?.payload.reply_markup).toEqual({ inline_keyboard: [[{ text: 'Allow', callback_data: `a:${SESSION_ID}` }, { text: 'Deny', callback_data: `d:${SESSION_ID}` }]] });
    expect(state.route(7, 501)).toEqual({ kind: 'session', name: 'reviewer' });
    expect(state.route(8, 502)).toEqual({ kind: 'session', name: 'reviewer' });
    await handle(event({ type: 'session.state', session: session('waiting_permission', '2026-01-01T00:01:00.000Z'), previous: 'working' }));
    expect(sent).toHaveLength(4);
  });

  it('should say a session finished its turn, and pass on what the watchdog did, routed to the session', async () => {
    const { sent, state, handle } = await setup();
    await handle(event({ type: 'session.state', session: session('waiting_input'), previous: 'working' }));
    await handle(event({ type: 'session.state', session: session('idle'), previous: 'waiting_input' }));
    await handle(event({ type: 'notification', jobId: null, sessionId: SESSION_ID, kind: 'watchdog', title: 'reviewer restarted', body: 'the agent exited', level: 'warning' }));
    expect(sent.map((s) => String(s.payload.text).split('\n')[0])).toEqual([
      '💬 <code>reviewer</code> finished its turn and waits for you. Reply to this message to answer it.',
      '💬 <code>reviewer</code> finished its turn and waits for you. Reply to this message to answer it.',
      '⚠️ <b>reviewer restarted</b>',
      '⚠️ <b>reviewer restarted</b>',
    ]);
    expect(state.route(8, 504)).toEqual({ kind: 'session', name: 'reviewer' });
  });

  it('should announce a rate-limit pause once and its end, and a job watchdog warning routed to the job', async () => {
    const { sent, state, handle } = await setup();
    const pause = { id: JOB_ID, host: 'box', agent: 'claude', credential: 'fp', reason: 'rate_limited', message: '429', startedAt: AT, resetsAt: '2026-01-01T05:00:00.000Z', endedAt: null };
    await handle(event({ type: 'pause.started', pause }));
    await handle(event({ type: 'notification', jobId: null, title: 'claude rate-limited', body: 'jobs wait', level: 'warning' }));
    await handle(event({ type: 'pause.started', pause }));
    // A director's alert landing right after a host's pause is not the daemon's repeat of it.
    await handle(event({ type: 'notification', jobId: null, kind: 'director.pause', title: 'director paused until 05:00 UTC', body: 'storm', level: 'warning' }));
    await handle(event({ type: 'pause.ended', pause: { ...pause, endedAt: AT } }));
    await handle(event({ type: 'notification', jobId: JOB_ID, title: 'killed 1 orphaned process', body: 'pid 9', level: 'warning' }));
    await handle(event({ type: 'notification', jobId: JOB_ID, title: 'cb ✔ done', body: 'ok', level: 'success' }));
    await handle(event({ type: 'notification', jobId: null, title: 'something else', body: 'new', level: 'info' }));
    expect(sent.filter((s) => s.payload.chat_id === 7).map((s) => String(s.payload.text).split('\n')[0])).toEqual([
      '⏸ <b>claude is rate-limited</b> on box',
      '⏸ <b>claude is rate-limited</b> on box',
      '⚠️ <b>director paused until 05:00 UTC</b>',
      '▶️ <b>claude</b> on box is no longer rate-limited; its waiting jobs resume.',
      '⚠️ <b>killed 1 orphaned process</b>',
      '⚠️ <b>something else</b>',
    ]);
    expect(state.route(7, 509)).toEqual({ kind: 'job', jobId: JOB_ID });
  });
});
