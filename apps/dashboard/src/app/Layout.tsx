import type { ReactNode } from 'react';
import { hubFeatures } from '../api/hub-features';
import { useLive, useNow } from '../live/hooks';
import { formatDuration } from '../ui/format';
import { Link, useLocation } from './router';

export interface NavItem {
  to: string;
  label: string;
  /** Shown only when the server offers it (`/api/capabilities` features or add-ons; a hub offers its pages). */
  needs?: string;
}

export const NAV: readonly NavItem[] = [
  { to: '/', label: 'Now' },
  { to: '/jobs', label: 'Jobs' },
  { to: '/sessions', label: 'Sessions' },
  { to: '/hosts', label: 'Hosts', needs: 'hosts' },
  { to: '/board', label: 'Board', needs: 'board' },
  { to: '/channel', label: 'Channel', needs: 'channel' },
  { to: '/pipeline', label: 'Pipeline', needs: 'pipeline' },
  { to: '/inbox', label: 'Inbox' },
  { to: '/new', label: 'New job' },
  { to: '/projects', label: 'Projects' },
  { to: '/knowledge', label: 'Knowledge', needs: 'knowledge' },
  { to: '/stats', label: 'Stats' },
  { to: '/security', label: 'Security' },
];

function isActive(to: string, path: string): boolean {
  return to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`);
}

export function Layout({ children }: { children: ReactNode }) {
  const { path } = useLocation();
  const capabilities = useLive((s) => s.capabilities);
  const offered = new Set<string>([...(capabilities?.features ?? []), ...(capabilities?.addons ?? []), ...hubFeatures(capabilities)]);
  const needsYou = useLive((s) => s.inbox).filter((entry) => entry.kind === 'session').length;
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand">
          Flotilla
        </Link>
        <span className="host" title="server">
          {capabilities ? `${capabilities.kind === 'hub' ? 'hub' : 'cb'} · ${capabilities.host}` : ''}
        </span>
        <ConnectionStatus />
      </header>
      <nav className="nav" aria-label="pages">
        {NAV.filter((item) => !item.needs || offered.has(item.needs)).map((item) => (
          <Link key={item.to} to={item.to} className={isActive(item.to, path) ? 'nav-item active' : 'nav-item'} aria-current={isActive(item.to, path) ? 'page' : undefined}>
            {item.label}
            {item.to === '/inbox' && needsYou > 0 ? <span className="count" aria-label={`${needsYou} need you`}>{needsYou}</span> : null}
          </Link>
        ))}
      </nav>
      <main className="main">{children}</main>
    </div>
  );
}

function ConnectionStatus() {
  const connection = useLive((s) => s.connection);
  const offlineSince = useLive((s) => s.offlineSince);
  const now = useNow();
  if (connection === 'live') {
    return (
      <span className="connection live" data-connection="live">
        live
      </span>
    );
  }
  const text = connection === 'connecting' ? 'connecting…' : `offline ${offlineSince ? formatDuration(now - offlineSince) : ''} — reconnecting; what you see may be stale`;
  return (
    <span className="connection offline" role="status" data-connection={connection}>
      {text}
    </span>
  );
}
