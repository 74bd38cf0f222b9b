// Builds packages/cb/test-fixtures/README.md from the recorded fixtures, so the one-line
// descriptions always match what the CLIs really printed.
import { parseJsonLines } from '../dist/index.js';

const MAX_TEXT = 110;

function clip(text) {
  const flat = String(text).replace(/\s+/g, ' ').trim();
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT - 1)}…` : flat;
}

function claudeSignature(fixture) {
  const lines = parseJsonLines(fixture.stdout);
  const retries = lines.filter((l) => l.subtype === 'api_retry').length;
  const result = lines.filter((l) => l.type === 'result').at(-1);
  const synthetic = lines.find((l) => l.type === 'assistant' && l.message?.model === '<synthetic>');
  const parts = [];
  if (retries > 0) parts.push(`${retries}× api_retry`);
  if (lines.some((l) => l.type === 'rate_limit_event')) parts.push('rate_limit_event');
  if (synthetic?.error) parts.push(`error=${synthetic.error}`);
  if (result === undefined) parts.push('no result line');
  else {
    const status = 'api_error_status' in result ? result.api_error_status : '(absent)';
    parts.push(`result ${result.subtype} is_error=${result.is_error} api_error_status=${status}`);
    if (typeof result.result === 'string') parts.push(`"${clip(result.result)}"`);
    if (Array.isArray(result.errors) && result.errors.length > 0) parts.push(`errors ["${clip(result.errors[0])}"]`);
    if ((result.permission_denials ?? []).length > 0) parts.push(`permission_denials=${result.permission_denials.length}`);
  }
  if (fixture.stderr.trim()) parts.push(`stderr "${clip(fixture.stderr)}"`);
  return parts.join('; ');
}

function codexSignature(fixture) {
  const lines = parseJsonLines(fixture.stdout);
  const reconnects = lines.filter((l) => l.type === 'error' && /^Reconnecting/.test(l.message ?? '')).length;
  const failed = lines.find((l) => l.type === 'turn.failed');
  const parts = [];
  if (reconnects > 0) parts.push(`${reconnects}× Reconnecting`);
  if (failed) parts.push(`turn.failed "${clip(failed.error?.message ?? '')}"`);
  else if (lines.some((l) => l.type === 'turn.completed')) parts.push('turn.completed');
  return parts.join('; ');
}

export function summarize(c, fixture) {
  const signature = c.agent === 'claude' ? claudeSignature(fixture) : codexSignature(fixture);
  return { agent: c.agent, case: c.case, description: c.description, exitCode: fixture.exitCode, signal: fixture.signal, signature };
}

function row(s) {
  const exit = s.signal ? `signal ${s.signal}` : `exit ${s.exitCode}`;
  return `| \`${s.agent}/${s.case}.json\` | ${s.description} | ${exit} | ${s.signature.replaceAll('|', '\\|')} |`;
}

export function renderReadme(summaries) {
  return `# CLI output fixtures

Raw stdout/stderr of the **real** Claude Code 2.1.197 and Codex 0.169.0 CLIs, each run once
against the scripted fake model APIs of \`@flotilla/testkit\` (see /work/shared/agent-clis.md).
They feed the outcome classifier's tests. Do not edit them by hand: re-record with

\`\`\`sh
pnpm --filter @flotilla/testkit build
node packages/testkit/scripts/record-fixtures.mjs            # all cases (rewrites this README)
node packages/testkit/scripts/record-fixtures.mjs claude/auth # only matching cases
\`\`\`

Each file is \`{ agent, case, argv, exitCode, signal, durationMs, stdout, stderr }\`. The random
port is replaced by \`PORT\` and the per-run temp dir by \`/TMP\` (\`-TMP\` in Claude project-dir
names); session ids, uuids and timestamps are left as recorded.

Recording setup:
- Claude: \`claude -p … --output-format stream-json --verbose --model sonnet\` (plus the flags in
  \`argv\`), fresh HOME seeded by \`seedClaudeHome\`, env from \`claudeEnv\` with
  \`CLAUDE_CODE_MAX_RETRIES=1\` (so a retried error shows exactly one \`api_retry\` line),
  \`ANTHROPIC_API_KEY\` (or \`CLAUDE_CODE_OAUTH_TOKEN\` for the subscription case), \`TZ=UTC\`.
- Codex: \`codex exec --json -s workspace-write --skip-git-repo-check …\` with stdin from /dev/null,
  HOME seeded by \`seedCodexHome\` (\`request_max_retries=1\`, \`stream_max_retries=1\`,
  \`stream_idle_timeout_ms=5000\` unless the row says otherwise).
- Each run is in a fresh git repo at \`/TMP/repo\`.

| file | what the fake / recorder did | exit | what the CLI printed (summary) |
|---|---|---|---|
${summaries.map(row).join('\n')}
`;
}
