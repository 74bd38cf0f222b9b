import type { SourceName, Ticket } from '../tickets/ticket.js';

/** A status the director sets on a ticket, in the source's own vocabulary. */
export type TicketStatusUpdate =
  | { status: 'in_progress' }
  /** The work is reviewable: a pull request (link) or a pushed or local branch. */
  | { status: 'in_review'; link: string | null; branch: string; note: string }
  /** The director gave up (attempts used up); the note says why. */
  | { status: 'failed'; note: string };

/**
 * One ticket source: the Flotilla board, GitHub Issues or Linear. Every method rejects with an
 * `HttpApiError` (GitHub, Linear) or a `ProtocolError` (the board) when the source refuses.
 */
export interface TicketSource {
  readonly name: SourceName;
  /**
   * Tickets the director may work on, with their text, comments and labels. Tickets already in
   * progress are included (`inProgress`), so that work interrupted by a restart is resumed; the
   * ledger says which of them are the director's own.
   */
  listEligible(): Promise<Ticket[]>;
  /**
   * Takes the ticket in the source where the source has claims (the board's lease); resolves false
   * when someone else has it. Sources without claims resolve true: the ledger is their claim.
   */
  claim(ticket: Ticket): Promise<boolean>;
  /** Gives a claim back unfinished (the ticket will be tried again later). */
  release(ticket: Ticket): Promise<void>;
  setStatus(ticket: Ticket, update: TicketStatusUpdate): Promise<void>;
  comment(ticket: Ticket, body: string): Promise<void>;
}
