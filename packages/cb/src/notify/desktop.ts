import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Job } from '@flotilla/protocol';
import createDebug from 'debug';
import { execFileResult } from '@flotilla/kit/process';
import { endDelivery, stderrTail, type ChannelContext, type Delivery } from './delivery.js';
import { describeJobEnd } from './describe.js';

const debug = createDebug('cb:notify');

/** notify-send returns as soon as the bus took the message; longer means the bus is wedged. */
const NOTIFY_SEND_TIMEOUT_MS = 10_000;

/** The executable `name` on `env.PATH`, or null. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** Whether this process can show desktop notifications: a session bus or display, and notify-send. */
export function desktopNotifier(env: NodeJS.ProcessEnv): string | null {
  if (!env.DISPLAY && !env.DBUS_SESSION_BUS_ADDRESS) return null;
  return findOnPath('notify-send', env);
}

/** Shows `cb ✔ …`/`cb ✘ …` with notify-send; null (not a failure) where there is no desktop to show it on. */
export function notifyDesktop(job: Job, ctx: ChannelContext): Promise<Delivery | null> {
  const { title, body } = describeJobEnd(job);
  return notifyDesktopText(title, body, ctx);
}

/** Shows a title and body with notify-send; null where there is no desktop. */
export async function notifyDesktopText(title: string, body: string, ctx: ChannelContext): Promise<Delivery | null> {
  const notifySend = desktopNotifier(ctx.env);
  if (!notifySend) {
    debug('no desktop session or notify-send; skipping the desktop notification');
    return null;
  }
  const result = await execFileResult(notifySend, ['--', title, body], {
    env: ctx.env,
    timeoutMs: NOTIFY_SEND_TIMEOUT_MS,
    signal: ctx.signal,
  });
  const ok = result.exitCode === 0;
  const error = ok ? null : result.timedOut ? `no answer within ${NOTIFY_SEND_TIMEOUT_MS} ms` : stderrTail(result.stderr) || `exited with ${result.exitCode}`;
  return endDelivery({ channel: 'desktop', target: 'notify-send', ok, attempts: 1, status: result.exitCode, error });
}
