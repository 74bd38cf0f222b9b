// Codex TUI timeline → per-transition latencies (same ground truths as the Claude spike).
import { groundTruths, measure, table } from './claude-analysis.mjs';

const hook = (name, extra = () => true) => (e) => e.source === 'hook' && e.kind === name && extra(e.detail.payload ?? {});
const tx = (kind, extra = () => true) => (e) => e.source === 'transcript' && e.kind === kind && extra(e.detail);
const scr = (...kinds) => (e) => e.source === 'screen' && kinds.includes(e.kind);

function signals(sessionIds) {
  // `notify` also fires for Codex's internal title-generation threads: keep only the session's own.
  const ownNotify = (e) => e.source === 'hook' && e.kind === 'codex-notify' && sessionIds.has(e.detail.payload?.['thread-id']);
  const anyNotify = (e) => e.source === 'hook' && e.kind === 'codex-notify';
  return {
    working: [
      ['hook UserPromptSubmit', hook('UserPromptSubmit')],
      ['hook PreModelRequest', hook('PreModelRequest')],
      ['rollout event_msg/task_started', tx('event_msg/task_started')],
      ['screen "esc to interrupt"', scr('working')],
    ],
    waiting_input: [
      ['hook Stop', hook('Stop')],
      ['notify agent-turn-complete (own thread)', ownNotify],
      ['notify agent-turn-complete (any thread)', anyNotify],
      ['rollout event_msg/task_complete', tx('event_msg/task_complete')],
      ['hook Interrupt', hook('Interrupt')],
      ['screen prompt back', scr('prompt')],
    ],
    waiting_permission: [
      ['hook PermissionRequest', hook('PermissionRequest')],
      ['hook PreToolUse', hook('PreToolUse')],
      ['rollout response_item/function_call', tx('response_item/function_call')],
      ['screen "Would you like to run"', scr('permission')],
    ],
    permission_answered: [
      ['hook PostToolUse', hook('PostToolUse')],
      ['hook Interrupt', hook('Interrupt')],
      ['rollout function_call_output', tx('response_item/function_call_output')],
      ['screen working/prompt', scr('working', 'prompt')],
    ],
    resumed: [
      ['hook PostToolUse', hook('PostToolUse')],
      ['hook PreModelRequest', hook('PreModelRequest')],
      ['screen "esc to interrupt"', scr('working')],
    ],
    rate_limited: [
      ['hook PostModelRequest status=failed', hook('PostModelRequest', (p) => p.status === 'failed')],
      ['screen "reconnecting"', scr('retrying')],
    ],
    rate_limit_gave_up: [
      ['rollout task_complete with error', tx('event_msg/task_complete', (d) => d.payload.includes('"error":{'))],
      ['hook Stop', hook('Stop')],
      ['notify (own thread)', ownNotify],
      ['screen prompt back', scr('prompt')],
    ],
    compacting: [
      ['hook PreCompact', hook('PreCompact')],
      ['rollout event_msg/task_started', tx('event_msg/task_started')],
      ['screen "esc to interrupt"', scr('working', 'compacting')],
    ],
    compacted: [
      ['hook PostCompact', hook('PostCompact')],
      ['rollout compacted', tx('compacted')],
      ['rollout event_msg/task_complete', tx('event_msg/task_complete')],
      ['screen prompt back', scr('prompt')],
    ],
    idle_after_clear: [
      ['hook SessionEnd', hook('SessionEnd')],
      ['hook SessionStart', hook('SessionStart')],
      ['rollout: new file', tx('session_meta')],
    ],
    submitted: [
      ['hook UserPromptSubmit', hook('UserPromptSubmit')],
      ['rollout event_msg/task_started', tx('event_msg/task_started')],
      ['screen "esc to interrupt"', scr('working')],
    ],
    exited: [
      ['hook SessionEnd', hook('SessionEnd')],
      ['pane dead (remain-on-exit)', scr('other')],
    ],
  };
}

/** The compaction request is a side request for Codex (no tools): the fake answers it at once. */
function truths(phase, events, from, to) {
  if (phase.name !== 'compact') return groundTruths(phase, events, from, to);
  const enter = events.find((e) => e.source === 'driver' && e.kind === 'enter' && e.t >= from && e.t < to);
  const side = events.find((e) => e.source === 'server' && e.kind === 'side' && e.t >= from && e.t < to);
  return [...(enter ? [{ transition: 'compacting', t: enter.t }] : []), ...(side ? [{ transition: 'compacted', t: side.t }] : [])];
}

export function analyseCodex(timeline) {
  const ids = new Set(timeline.events.filter((e) => e.source === 'hook' && e.detail.payload?.session_id).map((e) => e.detail.payload.session_id));
  return table(measure(timeline, signals(ids), truths), timeline);
}
