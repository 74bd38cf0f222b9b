import { memo } from 'react';
import type { Message } from '@flotilla/protocol';
import { formatFullTime, formatTime } from '../../ui/format';
import { deliveryWords, mentionSegments, receiptSummary } from './channel';

/** One message: who wrote it, when, its text with mentions marked, and its receipts in words. */
export const MessageItem = memo(function MessageItem({ message }: { message: Message }) {
  return (
    <li className="msg" data-message-id={message.id} data-seq={message.seq ?? undefined}>
      <div className="msg-head">
        <span className="msg-from">{message.fromHost ? `${message.from}@${message.fromHost}` : message.from}</span>
        {message.seq === null ? <span className="muted">→ {message.to}</span> : null}
        <time className="muted" dateTime={message.createdAt} title={formatFullTime(message.createdAt)}>
          {formatTime(message.createdAt)}
        </time>
      </div>
      <p className="msg-text">
        {mentionSegments(message.text, message.mentions).map((segment, i) =>
          segment.mention ? (
            <mark key={i} className="mention" title={`mentions ${segment.mention}`}>
              {segment.text}
            </mark>
          ) : (
            <span key={i}>{segment.text}</span>
          ),
        )}
      </p>
      <Receipts message={message} />
    </li>
  );
});

function Receipts({ message }: { message: Message }) {
  const summary = receiptSummary(message);
  if (message.deliveries.length <= 1)
    return (
      <p className="msg-receipt" data-testid="receipt" title={message.deliveries[0] ? deliveryWords(message.deliveries[0]).text : undefined}>
        {summary}
      </p>
    );
  return (
    <details className="msg-receipt" data-testid="receipt">
      <summary>{summary}</summary>
      <ul className="plain">
        {message.deliveries.map((delivery) => {
          const words = deliveryWords(delivery);
          return (
            <li key={`${delivery.session}@${delivery.host ?? ''}`} className={`tone-text-${words.tone}`}>
              {words.text}
            </li>
          );
        })}
      </ul>
    </details>
  );
}
