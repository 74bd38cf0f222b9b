import { useState } from 'react';
import { hubClient } from '../../api/hub-client';
import { useLive } from '../../live/hooks';
import { Empty, Section } from '../../ui/components';
import { useTargets } from '../board/use-targets';
import { MessageItem } from './MessageItem';
import { MessageBox } from './PostBox';

/** `mesh msg SESSION|@role "text"`: a message to one session or to every session holding a role, with its receipts. */
export function DirectMessage() {
  const targets = useTargets();
  const directs = useLive((s) => s.directs);
  const [to, setTo] = useState('');
  const target = to.trim();
  return (
    <Section title="Direct message" id="channel-direct">
      <MessageBox label="Message" send={(text) => hubClient.sendMessage(target, text)} disabled={!target}>
        <label className="message-to">
          To (a session, or @role)
          <input value={to} onChange={(event) => setTo(event.target.value)} list="message-targets" placeholder="reviewer or @backend" maxLength={128} data-testid="dm-to" />
          <datalist id="message-targets">
            {[...targets.sessions, ...targets.roles].map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </label>
      </MessageBox>
      {directs.length === 0 ? <Empty>Direct messages sent while this page is open appear here with their receipts.</Empty> : null}
      <ol className="direct-list" data-testid="directs">
        {directs
          .slice(-20)
          .reverse()
          .map((message) => (
            <MessageItem key={message.id} message={message} />
          ))}
      </ol>
    </Section>
  );
}
