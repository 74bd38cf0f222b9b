import { lazy, Suspense } from 'react';
import '../features/security/security.css';
import { hubFeatures } from '../api/hub-features';
import { useLive } from '../live/hooks';
import { Loading } from '../ui/components';
import { Security } from '../features/security/Security';

// Only a hub has hosts' keys to show; a lone daemon's page does not load the section.
const HostKeys = lazy(() => import('../features/hosts/HostKeys').then((m) => ({ default: m.HostKeys })));

/** Which agents can authenticate, what needs fixing, how the API's tokens work, who may call the server; on a hub, the hosts' keys. */
export function SecurityPage(_props: { params: Record<string, string> }) {
  const hub = hubFeatures(useLive((s) => s.capabilities)).has('hosts');
  return (
    <>
      <Security />
      {hub ? (
        <div className="page" style={{ marginTop: 16 }}>
          <Suspense fallback={<Loading lines={3} />}>
            <HostKeys />
          </Suspense>
        </div>
      ) : null}
    </>
  );
}
