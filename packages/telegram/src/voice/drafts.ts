/**
 * Transcribed voice messages waiting for the person's Send / Edit / Cancel: in memory only, one
 * per user (a newer voice message replaces the older draft), gone after a while.
 */
import { randomBytes } from 'node:crypto';

/** A draft left alone this long is forgotten: its buttons then answer that it expired. */
export const DRAFT_TTL_MS = 15 * 60 * 1000;

export interface VoiceDraft {
  /** Names the draft in its buttons, so a stale message's buttons cannot act on a newer draft. */
  id: string;
  userId: number;
  chatId: number;
  text: string;
  /** The bot's message the voice note replied to (a notification), so Send routes like a typed reply. */
  replyTo: number | null;
  /** True after Edit: the user's next plain message becomes the new text. */
  awaitingEdit: boolean;
  expiresAt: number;
}

export class VoiceDrafts {
  private readonly byUser = new Map<number, VoiceDraft>();

  constructor(
    private readonly ttlMs = DRAFT_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps `text` as the user's draft (replacing any other) and returns it. */
  put(userId: number, chatId: number, text: string, replyTo: number | null = null): VoiceDraft {
    this.prune();
    const draft: VoiceDraft = { id: randomBytes(4).toString('hex'), userId, chatId, text, replyTo, awaitingEdit: false, expiresAt: this.now() + this.ttlMs };
    this.byUser.set(userId, draft);
    return draft;
  }

  /** The user's live draft, if `id` (when given) names it. */
  get(userId: number, id?: string): VoiceDraft | undefined {
    const draft = this.byUser.get(userId);
    if (!draft) return undefined;
    if (draft.expiresAt <= this.now()) {
      this.byUser.delete(userId);
      return undefined;
    }
    return id === undefined || draft.id === id ? draft : undefined;
  }

  /** Marks the draft as waiting for the corrected text, and gives it a fresh lifetime. */
  awaitEdit(draft: VoiceDraft): void {
    draft.awaitingEdit = true;
    draft.expiresAt = this.now() + this.ttlMs;
  }

  delete(userId: number): void {
    this.byUser.delete(userId);
  }

  get size(): number {
    this.prune();
    return this.byUser.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [userId, draft] of this.byUser) if (draft.expiresAt <= now) this.byUser.delete(userId);
  }
}
