import { useCallback, useEffect, useState } from 'react';
import type { BrowserToken } from '@flotilla/protocol';
import { client, describeError } from '../../api/client';
import { Badge, Button, Empty, ErrorNote, Loading, Section } from '../../ui/components';
import { formatTime } from '../../ui/format';

/**
 * The browsers signed in through `cb serve` links, by fingerprint (never the token), each with a
 * "Sign out" — for a lost phone or a shared machine. Signing out this browser ends this page's access.
 */
export function BrowserTokens() {
  const [tokens, setTokens] = useState<BrowserToken[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    client.browserTokens().then(setTokens, (e: unknown) => setError(describeError(e)));
  }, []);
  useEffect(load, [load]);

  async function signOut(token: BrowserToken) {
    if (token.current && !window.confirm('Sign out this browser? You will need a new link from `cb serve` to come back.')) return;
    setBusy(token.id);
    setError(null);
    try {
      setTokens(await client.revokeBrowserToken(token.id));
      if (token.current) window.location.reload();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Section title="Signed-in browsers" id="security-browsers">
      <ErrorNote error={error} />
      {tokens === null ? (
        error ? null : <Loading lines={2} />
      ) : tokens.length === 0 ? (
        <Empty>No browser holds a cookie token (this page may be using a Bearer token).</Empty>
      ) : (
        <ul className="rows" data-testid="browser-tokens">
          {tokens.map((token) => (
            <li key={token.id} className="row" data-token-id={token.id}>
              <div>
                <div className="row-title">
                  <code>{token.id}</code> {token.current ? <Badge tone="good">this browser</Badge> : null}
                </div>
                <div className="row-meta">
                  <span>signed in {formatTime(token.createdAt)}</span>
                  <span>expires {formatTime(token.expiresAt)}</span>
                </div>
              </div>
              <div className="row-side">
                <Button variant="danger" disabled={busy !== null} onClick={() => void signOut(token)}>
                  {busy === token.id ? 'Signing out…' : 'Sign out'}
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
