import { isProtocolError, type BoardClient, type Task, type TaskHolder } from '@flotilla/protocol';
import createDebug from 'debug';
import type { BoardSourceConfig } from '../../config/config-schema.js';
import type { Ticket } from '../../tickets/ticket.js';
import type { TicketSource, TicketStatusUpdate } from '../ticket-source.js';

const debug = createDebug('director:board');

/**
 * A released task's lease: the hub's sweeper returns it to todo at its next sweep, without
 * counting an attempt (the director's holding has no job). The hub has no "unclaim" route.
 */
const RELEASE_LEASE_MS = 1;

export interface BoardSourceOptions extends BoardSourceConfig {
  /** This machine's host name, for the lease holder. */
  host: string;
}

/**
 * The Flotilla board (a hub's `/api/board` through the protocol's board client) as a ticket
 * source. Claiming is the board's lease (renewed by `setStatus(in_progress)`); in review is a
 * handoff to the `reviewTo` role carrying the branch and the link; the director giving up fails
 * the task. The board keeps notes only on finishing writes, so comments ride on the next one.
 *
 * @example
 * const source = createBoardSource(createBoardClient(createHttpTransport(hubUrl, { token })), { ...config.sources.board, host: hostname() });
 */
export function createBoardSource(board: BoardClient, options: BoardSourceOptions): TicketSource {
  const holder: TaskHolder = { who: options.holder, host: options.host };
  const leaseMs = Math.round(options.leaseMinutes * 60_000);
  /** Fencing tokens of the tasks this director holds, by task id. */
  const tokens = new Map<string, number>();
  /** Comments waiting for the next note, by task id. */
  const pendingNotes = new Map<string, string[]>();
  const mine = (task: Task) => task.status === 'doing' && task.holder?.who === holder.who && task.holder.host === holder.host;

  function toTicket(task: Task): Ticket {
    const notes = task.history.filter((e) => e.note !== undefined && e.note !== '');
    return {
      source: 'board',
      id: task.key,
      ref: task.id,
      title: task.title,
      body: task.body,
      labels: task.tags,
      comments: notes.map((e) => ({ author: e.by ?? 'board', body: e.note!, at: e.at })),
      url: null,
      inProgress: task.status === 'doing',
    };
  }

  async function finishNote(ticket: Ticket, text: string): Promise<string> {
    const queued = pendingNotes.get(ticket.ref) ?? [];
    pendingNotes.delete(ticket.ref);
    return [text, ...queued].filter((t) => t !== '').join('\n\n');
  }

  async function tokenOf(ticket: Ticket): Promise<number> {
    const known = tokens.get(ticket.ref);
    if (known !== undefined) return known;
    const task = await board.getTask(ticket.ref);
    if (!mine(task)) throw new Error(`board task ${ticket.id} is not held by ${holder.who} on ${holder.host}`);
    tokens.set(task.id, task.token);
    return task.token;
  }

  return {
    name: 'board',
    async listEligible() {
      const open = await board.listTasks({ status: ['todo', 'doing'] });
      const eligible = open.filter((task) => (task.status === 'todo' && (task.for === null || task.for === holder.who)) || mine(task));
      for (const task of eligible) if (mine(task)) tokens.set(task.id, task.token);
      return eligible.map(toTicket);
    },
    async claim(ticket) {
      if (tokens.has(ticket.ref)) return renew(ticket);
      try {
        const task = await board.claimNamedTask(ticket.ref, { holder, for: [holder.who], leaseMs });
        tokens.set(task.id, task.token);
        return true;
      } catch (error) {
        // Held, no longer todo, waiting on a prerequisite, or for someone else: not ours this cycle.
        if (isProtocolError(error) && error.code === 'CONFLICT') {
          debug('could not claim %s: %s', ticket.id, error.message);
          return false;
        }
        throw error;
      }
    },
    async release(ticket) {
      const token = tokens.get(ticket.ref);
      if (token === undefined) return;
      tokens.delete(ticket.ref);
      await board.renewTask(ticket.ref, { token, leaseMs: RELEASE_LEASE_MS }).catch((error: unknown) => {
        if (!isProtocolError(error)) throw error;
      });
    },
    async setStatus(ticket, update: TicketStatusUpdate) {
      if (update.status === 'in_progress') {
        if (!(await renew(ticket))) throw new Error(`board task ${ticket.id} is no longer held by ${holder.who}: its lease was lost`);
        return;
      }
      const token = await tokenOf(ticket);
      tokens.delete(ticket.ref);
      if (update.status === 'in_review') {
        const link = update.link ?? `branch ${update.branch}`;
        const note = await finishNote(ticket, `In review: ${link}${update.note === '' ? '' : `\n\n${update.note}`}`);
        await board.handoffTask(ticket.ref, { token, to: options.reviewTo, note, branch: update.branch });
      } else {
        await board.failTask(ticket.ref, { token, note: await finishNote(ticket, update.note) });
      }
    },
    async comment(ticket, body) {
      pendingNotes.set(ticket.ref, [...(pendingNotes.get(ticket.ref) ?? []), body]);
    },
  };

  async function renew(ticket: Ticket): Promise<boolean> {
    try {
      const task = await board.renewTask(ticket.ref, { token: await tokenOf(ticket), leaseMs });
      tokens.set(task.id, task.token);
      return true;
    } catch (error) {
      if (!isProtocolError(error) && !(error instanceof Error && error.message.includes('is not held by'))) throw error;
      tokens.delete(ticket.ref);
      return false;
    }
  }
}
