/**
 * Sessions started with `--auto` take board work by themselves: when one becomes idle, it claims
 * a task matching its profile and gets a message naming the task and the commands that finish it.
 */
import createDebug from 'debug';
import type { BoardStore, Task } from '../board/board-store.js';
import type { PublishEvent } from './hub-events.js';
import type { ProfileStore } from './profile-store.js';
import { publishCommitted } from './board-routes-http.js';

const debug = createDebug('mesh:auto-claim');

/** A lease given back when the session could not be told about its task: the sweeper returns the task at once. */
const GIVE_BACK_LEASE_MS = 1;

export interface AutoClaimOptions {
  board: BoardStore;
  profiles: ProfileStore;
  /** Types `text` into `session` on `host` as one turn; rejects when it cannot. */
  deliver: (host: string, session: string, text: string) => Promise<void>;
  publish: PublishEvent;
  leaseMs: number;
}

/**
 * Resolves `(session, host, sessionId?)` → the task claimed for it, or null: the session's profile
 * is not `auto`, it already holds a task, or nothing matches (its tags, tasks `for` its name or
 * one of its roles). When the message cannot be delivered the task's lease is given back, so it
 * returns to `todo` at the next sweep without counting as an attempt (the holder did not end).
 *
 * @example
 * const onIdle = autoClaimOnIdle({ board, profiles, deliver, publish, leaseMs: 30 * 60_000 });
 * fleet.onSessionIdle((session) => onIdle(session.name, session.host, session.id));
 */
export function autoClaimOnIdle(options: AutoClaimOptions): (session: string, host: string, sessionId?: string) => Promise<Task | null> {
  return async (session, host, sessionId) => {
    const profile = await options.profiles.get(session);
    if (profile === null || !profile.auto) return null;
    if ((await options.board.list({ status: ['doing'], holder: session })).length > 0) return null;
    const task = await options.board.claim({
      holder: { who: session, host, ...(sessionId ? { sessionId } : {}) },
      tags: profile.tags,
      for: [session, ...profile.roles],
      leaseMs: options.leaseMs,
    });
    if (task === null) return null;
    await publishCommitted(options.publish, { type: 'task.changed', task });
    try {
      await options.deliver(host, session, claimedTaskText(task));
      return task;
    } catch (error) {
      debug('could not tell %s about %s; giving its lease back: %o', session, task.key, error);
      await options.board.renew(task.id, task.token, GIVE_BACK_LEASE_MS);
      return null;
    }
  };
}

/** The message an idle `--auto` session gets: the task, and exactly how to finish, fail or pass it on. */
export function claimedTaskText(task: Task): string {
  const ref = `${task.key} --token ${task.token}`;
  return [
    `[board] You have claimed task ${task.key} (fencing token ${task.token}): ${task.title}`,
    ...(task.body === '' ? [] : ['', task.body]),
    ...(task.branch ? ['', `Continue from branch ${task.branch}.`] : []),
    '',
    `When it is finished: cb board done ${ref} --note "what you did"`,
    `If you cannot finish it: cb board fail ${ref} --note "why"`,
    `To pass it on: cb board handoff ${ref} --to SESSION_OR_ROLE --note "what is done and what is left"`,
  ].join('\n');
}
