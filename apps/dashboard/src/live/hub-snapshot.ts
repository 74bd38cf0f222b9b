import type { Capabilities, Message } from '@flotilla/protocol';
import { hubFeatures } from '../api/hub-features';
import type { HubClient } from '../api/hub';
import { MAX_CHANNEL, type HubSnapshot } from './hub-state';

/** A channel page as asked of the hub; the newest MAX_CHANNEL are kept. */
const CHANNEL_PAGE = MAX_CHANNEL;
/** Pages read forward at most, should the hub answer a first page from the oldest end. */
const MAX_CHANNEL_PAGES = 20;

/**
 * The hub's part of the snapshot, for the features the server offers; null from a lone daemon,
 * which is asked nothing more than before.
 */
export async function hubSnapshot(hub: HubClient | undefined, capabilities: Capabilities): Promise<HubSnapshot | null> {
  const features = hubFeatures(capabilities);
  if (!hub || features.size === 0) return null;
  const [hosts, tasks, channel] = await Promise.all([
    features.has('hosts') ? hub.hosts() : null,
    features.has('board') ? hub.board() : null,
    features.has('channel') ? newestChannel(hub) : null,
  ]);
  return { hosts, tasks, channel };
}

/**
 * The newest channel posts, oldest first. A full page means there may be more after it, so the
 * next one is asked `after` its last `seq` until a short page, keeping the newest MAX_CHANNEL.
 */
export async function newestChannel(hub: Pick<HubClient, 'channel'>): Promise<Message[]> {
  let kept: Message[] = [];
  let after: number | undefined;
  for (let page = 0; page < MAX_CHANNEL_PAGES; page++) {
    const batch = await hub.channel({ after, limit: CHANNEL_PAGE });
    kept = [...kept, ...batch].slice(-MAX_CHANNEL);
    const last = batch[batch.length - 1]?.seq ?? undefined;
    if (batch.length < CHANNEL_PAGE || last === undefined || (after !== undefined && last <= after)) break;
    after = last;
  }
  return kept;
}
