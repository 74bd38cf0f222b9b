import type { Capabilities } from '@flotilla/protocol';

export type HubFeature = 'hosts' | 'board' | 'channel';
export const HUB_FEATURES: readonly HubFeature[] = ['hosts', 'board', 'channel'];

/** Which hub pages the server offers: all of them on a hub, or the ones its features list. */
export function hubFeatures(capabilities: Capabilities | null): ReadonlySet<HubFeature> {
  if (!capabilities) return new Set();
  if (capabilities.kind === 'hub') return new Set(HUB_FEATURES);
  return new Set(HUB_FEATURES.filter((feature) => capabilities.features.includes(feature)));
}
