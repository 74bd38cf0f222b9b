import type { ReactNode } from 'react';
import { hubFeatures, type HubFeature } from '../../api/hub-features';
import { useLive } from '../../live/hooks';
import { Empty } from '../../ui/components';

/** A hub page's content, or, opened on a lone `cb` daemon (an old link), what would serve it. */
export function HubOnly({ feature, children }: { feature: HubFeature; children: ReactNode }) {
  const capabilities = useLive((s) => s.capabilities);
  if (capabilities && !hubFeatures(capabilities).has(feature)) {
    return (
      <Empty>
        This server is a lone cb daemon ({capabilities.host}): the fleet’s {feature} live on a hub. Run <code>mesh serve --port PORT</code> and open the link it prints.
      </Empty>
    );
  }
  return <>{children}</>;
}
