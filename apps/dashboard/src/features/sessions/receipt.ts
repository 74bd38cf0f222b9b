import { isProtocolError, SendReceiptSchema, type SendReceipt } from '@flotilla/protocol';

const CONFIRMED_BY: Record<NonNullable<SendReceipt['confirmedBy']>, string> = {
  hook: 'the agent’s prompt-submit hook',
  transcript: 'the agent’s transcript',
  screen: 'the screen',
};

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A receipt in words: `accepted — confirmed by the agent’s prompt-submit hook in 1.2 s`. */
export function receiptWords(receipt: SendReceipt): string {
  const tries = receipt.attempts > 1 ? ` after ${receipt.attempts} attempts` : '';
  if (!receipt.delivered) return `not delivered${tries}: ${receipt.error ?? 'no source confirmed it became a turn'}`;
  const by = receipt.confirmedBy ? `confirmed by ${CONFIRMED_BY[receipt.confirmedBy]}` : 'sent, not confirmed';
  return `accepted — ${by} in ${seconds(receipt.ms)}${tries}`;
}

/**
 * A failed send in words. `DELIVERY_FAILED` carries its receipt: the text went in but nothing
 * confirmed it became a turn, which a person must know before typing it again.
 */
export function sendFailureWords(error: unknown, describe: (error: unknown) => string): string {
  if (isProtocolError(error) && error.code === 'DELIVERY_FAILED') {
    const receipt = SendReceiptSchema.safeParse(error.details);
    const fix = error.fix ? ` — ${error.fix}` : '';
    if (receipt.success) return `${receiptWords({ ...receipt.data, delivered: false })} (after ${seconds(receipt.data.ms)})${fix}`;
    return `not delivered: ${error.message}${fix}`;
  }
  return `not sent: ${describe(error)}`;
}
