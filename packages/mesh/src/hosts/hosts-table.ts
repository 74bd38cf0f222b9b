/** `mesh hosts ls` for a person: one row per host, the reason under a host that is not fine. */
import type { Host } from '@flotilla/protocol';

const COLUMNS = ['NAME', 'TARGET', 'STATE', 'LATENCY', 'CB', 'RUNNING', 'QUEUED', 'SESSIONS', 'FREE'] as const;

export function formatHostsTable(hosts: readonly Host[], nowMs: number): string[] {
  if (hosts.length === 0) return [];
  const rows = hosts.map((host) => [
    host.name,
    host.target,
    stateText(host, nowMs),
    host.latencyMs === null ? '-' : `${host.latencyMs} ms`,
    host.cbVersion ?? '-',
    String(host.running),
    String(host.queued),
    String(host.sessions),
    host.mode === null ? '-' : `${host.freeSlots}/${host.slots}${host.paused ? ' paused' : ''}`,
  ]);
  const widths = COLUMNS.map((title, index) => Math.max(title.length, ...rows.map((row) => (row[index] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd();
  const out = [line(COLUMNS)];
  hosts.forEach((host, index) => {
    out.push(line(rows[index] ?? []));
    if (host.error !== null) out.push(`  ${host.name}: ${host.error}`);
    else if (host.mode === 'tmux') out.push(`  ${host.name}: bare (the hub drives tmux over SSH; no durable event log): ${host.modeReason ?? 'cb cannot run there'}`);
  });
  return out;
}

function stateText(host: Host, nowMs: number): string {
  if (host.state === 'up' || host.state === 'connecting') return host.state;
  const seconds = Math.max(0, Math.round((nowMs - Date.parse(host.since)) / 1000));
  return `${host.state} ${seconds < 120 ? `${seconds}s` : `${Math.round(seconds / 60)}m`}`;
}
