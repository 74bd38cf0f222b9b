import { useCallback, useEffect, useMemo, useState } from 'react';
import type { DaemonStatus, DoctorCheck, DoctorReport } from '@flotilla/protocol';
import { client, describeError } from '../../api/client';
import { useLive } from '../../live/hooks';
import { Badge, Button, Empty, ErrorNote, Loading, Section } from '../../ui/components';
import { formatTime } from '../../ui/format';
import type { Tone } from '../../ui/words';
import { BrowserTokens } from './BrowserTokens';
import { TelegramBot } from './TelegramBot';
import { readDoctor, type AgentAccess } from './security';

const ACCESS_WORDS: Record<AgentAccess['state'], { label: string; tone: Tone }> = {
  ready: { label: 'can authenticate', tone: 'good' },
  broken: { label: 'needs fixing', tone: 'bad' },
  not_installed: { label: 'not installed', tone: 'muted' },
};

/** `/api/doctor`, run on open and on "Re-check": the daemon runs each agent's CLI, which takes a moment. */
function useDoctor() {
  const [report, setReport] = useState<DoctorReport | null>(null);
  const [checkedAt, setCheckedAt] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const check = useCallback(async () => {
    setBusy(true);
    setError(null);
    try {
      setReport(await client.doctor());
      setCheckedAt(new Date().toISOString());
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }, []);
  useEffect(() => void check(), [check]);
  return { report, checkedAt, busy, error, check };
}

export function Security() {
  const doctor = useDoctor();
  const capabilities = useLive((s) => s.capabilities);
  const view = useMemo(() => (doctor.report ? readDoctor(doctor.report, capabilities?.agents ?? []) : null), [doctor.report, capabilities]);
  const recheck = (
    <Button onClick={() => void doctor.check()} disabled={doctor.busy}>
      {doctor.busy ? 'Checking…' : 'Re-check'}
    </Button>
  );
  return (
    <div className="page" data-testid="security">
      <h1>Security</h1>
      <Section title="Agents" id="security-agents" actions={recheck}>
        <p className="muted" aria-live="polite">
          {doctor.busy ? 'Checking: the daemon runs each agent’s CLI and looks at its credential…' : doctor.checkedAt ? `Checked at ${formatTime(doctor.checkedAt)} on ${doctor.report?.host}.` : ''}
        </p>
        <ErrorNote error={doctor.error} />
        {view ? <AgentList agents={view.agents} /> : doctor.error ? null : <Loading lines={3} />}
      </Section>
      <Section title="What needs fixing" id="security-fix">
        {view ? view.toFix.length ? <CheckList checks={view.toFix} /> : <Empty>Nothing: every check passed.</Empty> : <Loading lines={2} />}
        {view?.tools.length ? (
          <>
            <h3 className="security-subhead">Tools</h3>
            <CheckList checks={view.tools} />
          </>
        ) : null}
      </Section>
      <TokenFacts />
      <BrowserTokens />
      <TelegramBot />
      <HostPolicy />
    </div>
  );
}

function AgentList({ agents }: { agents: AgentAccess[] }) {
  if (!agents.length) return <Empty>This server reports no agents.</Empty>;
  return (
    <ul className="rows" data-testid="security-agents">
      {agents.map((access) => {
        const words = ACCESS_WORDS[access.state];
        return (
          <li key={access.agent} className="row" data-agent={access.agent} data-access={access.state}>
            <div>
              <div className="row-title">
                <strong>{access.agent}</strong>
              </div>
              <ul className="plain security-checks">
                {access.checks.map((c) => (
                  <li key={c.name} className="security-detail">
                    {c.name.slice(access.agent.length + 1)}: <strong>{c.ok ? 'ok' : 'failed'}</strong> — {c.detail}
                  </li>
                ))}
              </ul>
            </div>
            <div className="row-side">
              <Badge tone={words.tone}>{words.label}</Badge>
            </div>
          </li>
        );
      })}
    </ul>
  );
}

function CheckList({ checks }: { checks: DoctorCheck[] }) {
  return (
    <ul className="rows">
      {checks.map((c) => (
        <li key={c.name} className="row" data-check={c.name}>
          <div>
            <div className="row-title">{c.name}</div>
            <div className="row-meta">
              <span className="security-detail">{c.detail}</span>
            </div>
            {!c.ok && c.fix ? (
              <p className="security-fix">
                <strong>Fix:</strong> <span className="mono">{c.fix}</span>
              </p>
            ) : null}
          </div>
          <div className="row-side">{c.ok ? <Badge tone="good">ok</Badge> : <Badge tone="bad">failed</Badge>}</div>
        </li>
      ))}
    </ul>
  );
}

/** Where the tokens live and how this page holds its own; never a token itself. */
function TokenFacts() {
  const [status, setStatus] = useState<DaemonStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    client.status().then(setStatus, (e: unknown) => setError(describeError(e)));
  }, []);
  const home = status?.home;
  return (
    <Section title="API tokens" id="security-tokens">
      <ul className="security-facts">
        <li>
          This page signs in with a cookie (<code>HttpOnly; SameSite=Strict</code>) holding a token that <code>cb serve</code> minted for this browser. The page’s scripts cannot read it, other sites’
          pages cannot send it, and it is not the daemon’s own token.
        </li>
        <li>
          The link <code>cb serve</code> prints carries a one-time token: opening it trades that token for the cookie and takes it out of the address bar and the history. For another browser, run{' '}
          <code>cb serve</code> again.
        </li>
        <li>
          The daemon’s long-lived token is in {home ? <code className="security-path">{`${home.replace(/\/+$/, '')}/token`}</code> : <>the token file in the daemon’s home</>}, readable by its owner only
          (mode 0600). Scripts send it as <code>Authorization: Bearer …</code>; the <code>cb</code> command uses the unix socket{status ? <> (<code className="security-path">{status.socket}</code>)</> : null}{' '}
          instead. Keep it like a password: this page never shows it.
        </li>
      </ul>
      <ErrorNote error={error ? `The server did not say where its home is: ${error}` : null} />
    </Section>
  );
}

function HostPolicy() {
  const hub = useLive((s) => s.capabilities?.kind === 'hub');
  return (
    <Section title="Who may call this server" id="security-host">
      <ul className="security-facts">
        {hub ? (
          <li>
            This is a hub (<code>mesh serve</code>): every request’s <code>Host</code> header must be one of the names in its allowlist; any other name is refused, so a web page that rebinds its DNS
            name to this machine gets nothing.
          </li>
        ) : (
          <li>
            It listens on loopback (<code>127.0.0.1</code>) only. Every request must name a loopback host (<code>127.0.0.1</code>, <code>localhost</code> or <code>[::1]</code>) in its{' '}
            <code>Host</code> header; any other name is refused, so a web page that rebinds its DNS name to this machine gets nothing.
          </li>
        )}
        <li>
          A request that carries an <code>Origin</code> must come from this same origin: other sites’ pages are refused, even with a token. The live terminal’s WebSocket upgrade is checked the same
          way.
        </li>
        <li>
          Every request needs a token (this page’s cookie, a Bearer token, or the printed link’s one-time token), except <code>/health</code>.
        </li>
        <li>The page loads nothing from elsewhere and may not be framed by another site.</li>
      </ul>
    </Section>
  );
}
