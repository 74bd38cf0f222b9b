// Turns a Claude spike timeline into per-transition latencies: signal time minus ground-truth time.
// Ground truth comes from the fake server's request log (received = working; answer leaves after the
// scripted delay = waiting_input; tool_use sent = waiting_permission) or from the driver's own key.
import { fmtStats, stats } from './lib.mjs';

/** Which signal (source + predicate) can announce which transition. */
const SIGNALS = {
  working: [
    ['hook UserPromptSubmit', (e) => e.source === 'hook' && e.kind === 'UserPromptSubmit'],
    ['session file busy', (e) => e.source === 'sessionfile' && e.kind === 'busy'],
    ['transcript user line', (e) => e.source === 'transcript' && e.kind === 'user' && e.detail.promptSource === 'typed'],
    ['screen "esc to interrupt"', (e) => e.source === 'screen' && e.kind === 'working'],
  ],
  waiting_input: [
    ['hook Stop', (e) => e.source === 'hook' && e.kind === 'Stop'],
    ['session file idle', (e) => e.source === 'sessionfile' && e.kind === 'idle'],
    ['transcript system/turn_duration', (e) => e.source === 'transcript' && e.kind === 'system-turn_duration'],
    ['screen prompt back', (e) => e.source === 'screen' && e.kind === 'prompt'],
    ['hook Notification idle_prompt', (e) => e.source === 'hook' && e.kind === 'Notification' && e.detail.payload?.notification_type === 'idle_prompt'],
  ],
  waiting_permission: [
    ['hook PermissionRequest', (e) => e.source === 'hook' && e.kind === 'PermissionRequest'],
    ['hook Notification permission_prompt', (e) => e.source === 'hook' && e.kind === 'Notification' && e.detail.payload?.notification_type === 'permission_prompt'],
    ['session file waiting', (e) => e.source === 'sessionfile' && e.kind === 'waiting'],
    ['screen "Do you want to proceed?"', (e) => e.source === 'screen' && e.kind === 'permission'],
    ['transcript assistant tool_use', (e) => e.source === 'transcript' && e.kind === 'assistant-tool_use'],
  ],
  permission_answered: [
    ['hook PostToolUse', (e) => e.source === 'hook' && e.kind === 'PostToolUse'],
    ['hook PostToolUseFailure', (e) => e.source === 'hook' && e.kind === 'PostToolUseFailure'],
    ['hook PermissionDenied', (e) => e.source === 'hook' && e.kind === 'PermissionDenied'],
    ['session file busy', (e) => e.source === 'sessionfile' && e.kind === 'busy'],
    ['session file idle', (e) => e.source === 'sessionfile' && e.kind === 'idle'],
    ['transcript tool_result', (e) => e.source === 'transcript' && e.kind === 'user-tool-result'],
    ['screen working/prompt', (e) => e.source === 'screen' && (e.kind === 'working' || e.kind === 'prompt')],
  ],
  resumed: [
    ['hook PostToolUse', (e) => e.source === 'hook' && e.kind === 'PostToolUse'],
    ['session file busy', (e) => e.source === 'sessionfile' && e.kind === 'busy'],
    ['transcript tool_result', (e) => e.source === 'transcript' && e.kind === 'user-tool-result'],
    ['screen "esc to interrupt"', (e) => e.source === 'screen' && e.kind === 'working'],
  ],
  rate_limited: [
    ['screen "API error · Retrying"', (e) => e.source === 'screen' && e.kind === 'retrying'],
    ['hook StopFailure', (e) => e.source === 'hook' && e.kind === 'StopFailure'],
    ['transcript isApiErrorMessage', (e) => e.source === 'transcript' && e.kind === 'assistant-api-error'],
    ['session file (any change)', (e) => e.source === 'sessionfile'],
  ],
  rate_limit_gave_up: [
    ['hook StopFailure', (e) => e.source === 'hook' && e.kind === 'StopFailure'],
    ['transcript isApiErrorMessage', (e) => e.source === 'transcript' && e.kind === 'assistant-api-error'],
    ['session file idle', (e) => e.source === 'sessionfile' && e.kind === 'idle'],
    ['screen prompt back', (e) => e.source === 'screen' && e.kind === 'prompt'],
  ],
  compacting: [
    ['hook PreCompact', (e) => e.source === 'hook' && e.kind === 'PreCompact'],
    ['session file busy', (e) => e.source === 'sessionfile' && e.kind === 'busy'],
    ['screen "Compacting conversation"', (e) => e.source === 'screen' && e.kind === 'compacting'],
  ],
  compacted: [
    ['hook PostCompact', (e) => e.source === 'hook' && e.kind === 'PostCompact'],
    ['hook SessionStart source=compact', (e) => e.source === 'hook' && e.kind === 'SessionStart' && e.detail.payload?.source === 'compact'],
    ['session file idle', (e) => e.source === 'sessionfile' && e.kind === 'idle'],
    ['transcript system/compact_boundary', (e) => e.source === 'transcript' && e.kind === 'system-compact_boundary'],
    ['screen prompt back', (e) => e.source === 'screen' && e.kind === 'prompt'],
  ],
  idle_after_clear: [
    ['hook SessionEnd reason=clear', (e) => e.source === 'hook' && e.kind === 'SessionEnd' && e.detail.payload?.reason === 'clear'],
    ['hook SessionStart source=clear', (e) => e.source === 'hook' && e.kind === 'SessionStart' && e.detail.payload?.source === 'clear'],
    ['session file: new sessionId, idle', (e) => e.source === 'sessionfile' && e.kind === 'idle'],
    ['transcript: new file', (e) => e.source === 'transcript' && e.kind === 'mode'],
  ],
  submitted: [
    ['hook UserPromptSubmit', (e) => e.source === 'hook' && e.kind === 'UserPromptSubmit'],
    ['session file busy', (e) => e.source === 'sessionfile' && e.kind === 'busy'],
    ['transcript user line', (e) => e.source === 'transcript' && e.kind === 'user' && e.detail.promptSource === 'typed'],
    ['screen "esc to interrupt"', (e) => e.source === 'screen' && e.kind === 'working'],
  ],
  exited: [
    ['hook SessionEnd', (e) => e.source === 'hook' && e.kind === 'SessionEnd'],
    ['session file deleted', (e) => e.source === 'sessionfile' && e.kind === 'gone'],
    ['pane dead (remain-on-exit)', (e) => e.source === 'screen' && e.kind === 'other'],
  ],
};

/** Ground-truth moments per phase window: `{ transition, t }`. */
export function groundTruths(phase, events, from, to) {
  const inWin = (e) => e.t >= from && e.t < to;
  const mains = events.filter((e) => e.source === 'server' && e.kind === 'main' && inWin(e));
  const enters = events.filter((e) => e.source === 'driver' && e.kind === 'enter' && inWin(e));
  const delay = phase.delayMs ?? 1500;
  switch (phase.name) {
    case 'plain':
      return mains[0] ? [{ transition: 'working', t: mains[0].t }, { transition: 'waiting_input', t: mains[0].t + delay }] : [];
    case 'permission':
      return mains[0] ? [{ transition: 'working', t: mains[0].t }, { transition: 'waiting_permission', t: mains[0].t }] : [];
    case 'permission-answer': {
      const out = [{ transition: 'permission_answered', t: phase.t }];
      if (mains[0]) out.push({ transition: 'resumed', t: mains[0].t }, { transition: 'waiting_input', t: mains[0].t + 1500 });
      else out.push({ transition: 'waiting_input', t: phase.t, note: 'rejected with Escape: ground truth = the key' });
      return out;
    }
    case 'ratelimit':
      return mains.length ? [{ transition: 'rate_limited', t: mains[0].t }, { transition: 'rate_limit_gave_up', t: mains.at(-1).t }] : [];
    case 'compact':
      return enters[0] ? [{ transition: 'compacting', t: enters[0].t }, ...(mains[0] ? [{ transition: 'compacted', t: mains[0].t + 1500 }] : [])] : [];
    case 'clear':
      return enters[0] ? [{ transition: 'idle_after_clear', t: enters[0].t }] : [];
    case 'paste':
      if (phase.variant === 'unbracketed') return [];
      return enters[0] ? [{ transition: 'submitted', t: enters[0].t }] : [];
    case 'exit':
      return enters[0] ? [{ transition: 'exited', t: enters[0].t }] : [];
    default:
      return [];
  }
}

/** Latency (ms) of every signal for every ground-truth transition; negative = the signal came first. */
export function measure({ phases, events }, signals = SIGNALS, truths = groundTruths) {
  const rows = [];
  phases.forEach((phase, i) => {
    const from = phase.t;
    const to = phases[i + 1]?.t ?? Number.POSITIVE_INFINITY;
    for (const g of truths(phase, events, from, to)) {
      for (const [name, pred] of signals[g.transition] ?? []) {
        const hit = events.filter((e) => e.t >= from && e.t < to && pred(e)).sort((a, b) => a.t - b.t)[0];
        rows.push({ phase: phase.name, rep: phase.rep, transition: g.transition, signal: name, latency: hit ? hit.t - g.t : null });
      }
    }
  });
  return rows;
}

export function analyseClaude(timeline) {
  return table(measure(timeline), timeline);
}

export function table(rows, timeline) {
  const groups = new Map();
  for (const r of rows) {
    const key = `${r.transition}\u0000${r.signal}`;
    if (!groups.has(key)) groups.set(key, { transition: r.transition, signal: r.signal, latencies: [], misses: 0 });
    const g = groups.get(key);
    if (r.latency === null) g.misses += 1;
    else g.latencies.push(r.latency);
  }
  const lines = ['| transition | signal | fired | latency p50 / max |', '|---|---|---|---|'];
  for (const g of groups.values()) {
    const total = g.latencies.length + g.misses;
    lines.push(`| ${g.transition} | ${g.signal} | ${g.latencies.length}/${total} | ${fmtStats(stats(g.latencies))} |`);
  }
  const pastes = timeline.events.filter((e) => e.source === 'driver' && e.kind === 'paste-result');
  lines.push('', `paste → main requests added per paste: ${pastes.map((p) => `${p.detail.variant ?? 'bracketed'}:${p.detail.mainRequestsAdded}`).join(', ')}`);
  lines.push(`hook env names: ${timeline.hookEnvNames.join(' ')}`);
  return lines.join('\n');
}
