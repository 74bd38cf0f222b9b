import { hubClient } from '../api/hub-client';
import { useLive } from '../live/hooks';
import { HubOnly } from '../features/hosts/HubOnly';
import { Loading, Section } from '../ui/components';
import { ChannelStream } from '../features/channel/ChannelStream';
import { DirectMessage } from '../features/channel/DirectMessage';
import { MessageBox } from '../features/channel/PostBox';
import '../features/channel/channel.css';

/** `/channel` (hub only): the fleet's shared stream with mentions and receipts; post to it, or message one session or role. */
export function ChannelPage(_props: { params: Record<string, string> }) {
  const messages = useLive((s) => s.channel);
  const capabilities = useLive((s) => s.capabilities);
  return (
    <div className="page" data-testid="channel-page">
      <h1>Channel</h1>
      <HubOnly feature="channel">
        <Section title="Channel" id="channel-stream">
          {capabilities === null ? <Loading lines={8} /> : <ChannelStream messages={messages} />}
          <div className="channel-post" data-testid="post">
            <MessageBox label="Post to the channel; @role or @session reaches them" send={(text) => hubClient.post(text)} />
          </div>
        </Section>
        <DirectMessage />
      </HubOnly>
    </div>
  );
}
