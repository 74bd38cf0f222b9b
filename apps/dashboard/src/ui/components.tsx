import type { ButtonHTMLAttributes, ReactNode } from 'react';
import type { JobStatus, SessionState } from '@flotilla/protocol';
import { JOB_STATUS_WORDS, SESSION_STATE_WORDS, type Tone } from './words';

/** A state in words with its tone's colour and a shape marker, so it reads without colour too. */
export function Badge({ tone, children, title }: { tone: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge tone-${tone}`} title={title}>
      <span className="badge-mark" aria-hidden="true" />
      {children}
    </span>
  );
}

export function SessionStateBadge({ state }: { state: SessionState }) {
  const words = SESSION_STATE_WORDS[state];
  return <Badge tone={words.tone}>{words.label}</Badge>;
}

export function JobStatusBadge({ status }: { status: JobStatus }) {
  const words = JOB_STATUS_WORDS[status];
  return <Badge tone={words.tone}>{words.label}</Badge>;
}

export function Button({ variant = 'plain', ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'plain' | 'primary' | 'danger' }) {
  return <button type="button" {...props} className={`button button-${variant} ${props.className ?? ''}`} />;
}

export function Section({ title, actions, children, id }: { title: ReactNode; actions?: ReactNode; children: ReactNode; id?: string }) {
  return (
    <section className="section" aria-labelledby={id}>
      <header className="section-head">
        <h2 id={id}>{title}</h2>
        {actions ? <div className="section-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function ErrorNote({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="error-note" role="alert">
      {error}
    </p>
  );
}

/** A figure with its label, for the totals row. */
export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: string }) {
  return (
    <div className="stat" title={hint}>
      <div className="stat-value">{value}</div>
      <div className="stat-label">{label}</div>
    </div>
  );
}

/** Reserves its space while loading, so the page does not jump when data arrives. */
export function Loading({ lines = 3 }: { lines?: number }) {
  return (
    <div className="loading" aria-busy="true" aria-label="loading">
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} className="loading-line" />
      ))}
    </div>
  );
}
