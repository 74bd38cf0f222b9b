import '../features/inbox/inbox.css';
import { InboxLists } from '../features/inbox/Inbox';
import { Alerts } from '../features/now/Alerts';

/** What needs you (sessions waiting on an answer), what is there to read (unread results), and alerts as they happen. */
export function InboxPage(_props: { params: Record<string, string> }) {
  return (
    <div className="page" data-testid="inbox">
      <InboxLists />
      <Alerts limit={50} />
    </div>
  );
}
