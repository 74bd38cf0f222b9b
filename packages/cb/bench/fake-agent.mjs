#!/usr/bin/env node
/**
 * A stand-in for `claude -p … --output-format stream-json`: prints the line shapes the Claude
 * accumulator parses (see test-fixtures/claude/success.json) for a while, then a success result.
 *
 *   system/init (with session_id) → one `assistant` text line every FAKE_AGENT_INTERVAL_MS
 *   → `result` success with usage and total_cost_usd after FAKE_AGENT_SECONDS.
 *
 * Each assistant line i (1-based) is its own message `msg_fake_<i>` with output_tokens 1, so a
 * job's `usage.outputTokens` is the number of assistant lines the daemon has read so far, and its
 * text is `line <i> t=<Date.now() when written>` so readers can measure latency from it.
 *
 * Env: FAKE_AGENT_SECONDS (default 60; 0 prints init and result at once),
 *      FAKE_AGENT_INTERVAL_MS (default 1000).
 * Usage: node fake-agent.mjs "<prompt>"
 */
import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';

const MODEL = 'claude-sonnet-5';
const INPUT_TOKENS_PER_LINE = 10;
const USD_PER_LINE = 0.0001;

const seconds = numberFromEnv('FAKE_AGENT_SECONDS', 60);
const intervalMs = Math.max(1, numberFromEnv('FAKE_AGENT_INTERVAL_MS', 1000));
const prompt = process.argv[2] ?? '';
const sessionId = randomUUID();
const started = Date.now();
const endAt = started + seconds * 1000;

function numberFromEnv(name, fallback) {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** One whole line per write(2) on fd 1, so the runner never sees half a line and `t=` is the write time. */
function emit(object) {
  const data = Buffer.from(JSON.stringify(object) + '\n');
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(1, data, offset);
    } catch (error) {
      if (error.code === 'EAGAIN') continue;
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    }
  }
}

function usage(lines) {
  return { input_tokens: INPUT_TOKENS_PER_LINE * lines, output_tokens: lines, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

function assistant(i) {
  emit({
    type: 'assistant',
    message: {
      id: `msg_fake_${i}`,
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [{ type: 'text', text: `line ${i} t=${Date.now()}` }],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: INPUT_TOKENS_PER_LINE, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      context_management: null,
    },
    parent_tool_use_id: null,
    session_id: sessionId,
    uuid: randomUUID(),
    request_id: `req_fake_${i}`,
  });
}

function result(lines) {
  const cost = Math.round(lines * USD_PER_LINE * 1e6) / 1e6;
  emit({
    type: 'result',
    subtype: 'success',
    is_error: false,
    api_error_status: null,
    duration_ms: Date.now() - started,
    duration_api_ms: 0,
    num_turns: 1,
    result: `fake agent done: ${lines} lines`,
    stop_reason: 'end_turn',
    session_id: sessionId,
    total_cost_usd: cost,
    usage: usage(lines),
    modelUsage: {
      [MODEL]: { inputTokens: INPUT_TOKENS_PER_LINE * lines, outputTokens: lines, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, webSearchRequests: 0, costUSD: cost, contextWindow: 200000, maxOutputTokens: 64000 },
    },
    permission_denials: [],
    terminal_reason: 'completed',
    uuid: randomUUID(),
  });
}

emit({
  type: 'system',
  subtype: 'init',
  cwd: process.cwd(),
  session_id: sessionId,
  tools: [],
  mcp_servers: [],
  model: MODEL,
  permissionMode: 'default',
  apiKeySource: 'none',
  claude_code_version: 'fake-agent',
  output_style: 'default',
  uuid: randomUUID(),
  prompt_chars: prompt.length,
});

// Lines are scheduled against the start time, so a late timer never shifts the ones after it.
let lines = 0;
function next() {
  const due = started + (lines + 1) * intervalMs;
  if (due >= endAt) {
    setTimeout(() => {
      result(lines);
      process.exit(0);
    }, Math.max(0, endAt - Date.now()));
    return;
  }
  setTimeout(() => {
    lines += 1;
    assistant(lines);
    next();
  }, Math.max(0, due - Date.now()));
}
next();
