import { useLayoutEffect, useRef, useState } from 'react';
import type { Message } from '@flotilla/protocol';
import { Button, Empty } from '../../ui/components';
import { isAtBottom } from './channel';
import { MessageItem } from './MessageItem';

/**
 * The stored stream, oldest at the top. It follows the newest message while the reader is at the
 * bottom; scrolled up, it stays put and offers a button to the new ones instead.
 */
export function ChannelStream({ messages }: { messages: readonly Message[] }) {
  const box = useRef<HTMLOListElement>(null);
  const following = useRef(true);
  const seen = useRef(messages.length ? messages[messages.length - 1]!.id : null);
  const [unseen, setUnseen] = useState(0);

  useLayoutEffect(() => {
    const el = box.current;
    const last = messages[messages.length - 1];
    if (!el || !last || last.id === seen.current) return;
    if (following.current) {
      el.scrollTop = el.scrollHeight;
      seen.current = last.id;
    } else {
      const from = messages.findIndex((m) => m.id === seen.current);
      setUnseen(from < 0 ? messages.length : messages.length - 1 - from);
    }
  }, [messages]);

  useLayoutEffect(() => {
    if (box.current) box.current.scrollTop = box.current.scrollHeight;
  }, []);

  function onScroll(): void {
    const el = box.current;
    if (!el) return;
    following.current = isAtBottom(el);
    if (following.current) {
      seen.current = messages[messages.length - 1]?.id ?? null;
      setUnseen(0);
    }
  }

  function toNewest(): void {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }

  return (
    <div className="channel-frame">
      <ol className="channel-stream" ref={box} onScroll={onScroll} tabIndex={0} aria-label="channel messages, oldest first" data-testid="channel-stream">
        {messages.length === 0 ? (
          <li>
            <Empty>No message yet. Post the first one below; @role or @session reaches them.</Empty>
          </li>
        ) : null}
        {messages.map((message) => (
          <MessageItem key={message.id} message={message} />
        ))}
      </ol>
      {unseen > 0 ? (
        <Button className="channel-new" onClick={toNewest}>
          {unseen} new {unseen === 1 ? 'message' : 'messages'} ↓
        </Button>
      ) : null}
    </div>
  );
}
