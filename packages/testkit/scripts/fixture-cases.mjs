// Case definitions for record-fixtures.mjs: one entry per failure mode in
// /work/shared/agent-clis.md. Each case runs the REAL CLI once against the fake.
import { unifiedRateLimitHeaders } from '../dist/index.js';

const FOREVER = 'forever';

/** A fixed, well-formed session id that no transcript has. */
export const MISSING_SESSION_ID = '00000000-0000-4000-8000-000000000000';

const WRITE_HELLO = {
  text: 'Creating hello.txt.',
  toolUses: [{ name: 'Write', input: { file_path: 'hello.txt', content: 'hi\n' } }],
};
const CODEX_WRITE = {
  text: 'Creating the file.',
  toolUses: [{ name: 'exec_command', input: { cmd: 'echo hi > codex.txt' } }],
};

/** Every Claude run prints stream-json; `extraArgs` come after the common flags. */
function claudeArgs(prompt, extraArgs = []) {
  return ['-p', prompt, '--output-format', 'stream-json', '--verbose', '--model', 'sonnet', ...extraArgs];
}

function claude(name, description, scenario, options = {}) {
  return {
    agent: 'claude',
    case: name,
    description,
    scenario,
    args: options.args ?? claudeArgs('Create hello.txt containing hi', ['--permission-mode', 'acceptEdits']),
    auth: options.auth ?? 'apiKey',
    refused: options.refused ?? false,
    sigtermOnRequest: options.sigtermOnRequest ?? false,
  };
}

function codexArgs(prompt) {
  return ['exec', '--json', '-s', 'workspace-write', '--skip-git-repo-check', prompt];
}

function codex(name, description, scenario, options = {}) {
  return {
    agent: 'codex',
    case: name,
    description,
    scenario,
    args: codexArgs('Create codex.txt containing hi'),
    codexHome: options.codexHome ?? {},
  };
}

const claudeCases = [
  claude('success', 'one plain text reply', [{ text: 'hi' }], {
    args: claudeArgs('say hi'),
  }),
  claude('success-with-tool', 'Write tool_use for hello.txt, then text (acceptEdits); the file is really written', [
    WRITE_HELLO,
    { text: 'Created hello.txt.' },
  ]),
  claude('permission-denials', 'same Write tool_use under --permission-mode default: the CLI denies it', [
    WRITE_HELLO,
    { text: 'I could not write the file.' },
  ], { args: claudeArgs('Create hello.txt containing hi', ['--permission-mode', 'default']) }),
  claude('rate-limit-429', '429 rate_limit_error + retry-after: 1 on every request, API key auth', [
    { status: 429, type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit', headers: { 'retry-after': '1' }, repeat: FOREVER },
  ]),
  claude('rate-limit-subscription', '429 + anthropic-ratelimit-unified-{status: rejected, reset: 1900000000, representative-claim: five_hour, overage-status: rejected}, CLAUDE_CODE_OAUTH_TOKEN auth', [
    { status: 429, type: 'rate_limit_error', message: 'Rate limited', headers: unifiedRateLimitHeaders({ resetsAt: 1900000000 }), repeat: FOREVER },
  ], { auth: 'oauth' }),
  claude('rate-limit-then-success', 'one 429 rate_limit_error + retry-after: 1, then a text reply', [
    { status: 429, type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit', headers: { 'retry-after': '1' } },
    { text: 'hi' },
  ], { args: claudeArgs('say hi') }),
  claude('auth-401', '401 authentication_error on every request', [
    { status: 401, type: 'authentication_error', message: 'invalid x-api-key', repeat: FOREVER },
  ]),
  claude('auth-403', '403 permission_error on every request', [
    { status: 403, type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.', repeat: FOREVER },
  ]),
  claude('no-key', 'no ANTHROPIC_API_KEY and no OAuth token (the CLI sends no model request)', [], { auth: 'none' }),
  claude('billing-400', '400 invalid_request_error "Your credit balance is too low …"', [
    { status: 400, type: 'invalid_request_error', message: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.', repeat: FOREVER },
  ]),
  claude('model-404', '404 not_found_error "model: claude-sonnet-5"', [
    { status: 404, type: 'not_found_error', message: 'model: claude-sonnet-5', repeat: FOREVER },
  ]),
  claude('overloaded-529', '529 overloaded_error on every request', [
    { status: 529, type: 'overloaded_error', message: 'Overloaded', repeat: FOREVER },
  ]),
  claude('server-500', '500 api_error on every request', [
    { status: 500, type: 'api_error', message: 'Internal server error', repeat: FOREVER },
  ]),
  claude('connection-refused', 'nothing listens on ANTHROPIC_BASE_URL (server closed before the run)', [], { refused: true }),
  claude('max-turns', '--max-turns 1 and a Write tool_use reply', [
    WRITE_HELLO,
    { text: 'Created hello.txt.' },
  ], { args: claudeArgs('Create hello.txt containing hi', ['--permission-mode', 'acceptEdits', '--max-turns', '1']) }),
  claude('bad-resume', `--resume ${MISSING_SESSION_ID} (no such transcript)`, [], {
    args: claudeArgs('continue', ['--resume', MISSING_SESSION_ID]),
  }),
  claude('sigterm', 'the model request hangs (no headers); the recorder sends SIGTERM once it arrives', [{ hang: true, repeat: FOREVER }], {
    sigtermOnRequest: true,
  }),
];

const codexCases = [
  codex('success', 'exec_command `echo hi > codex.txt` (workspace-write sandbox), then text', [
    CODEX_WRITE,
    { text: 'Created codex.txt.' },
  ]),
  codex('rate-limit-429', '429 code rate_limit_exceeded + retry-after: 1 on every request', [
    { status: 429, type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for gpt-fake on requests per min (RPM): Limit 3, Used 3, Requested 1.', headers: { 'retry-after': '1' }, repeat: FOREVER },
  ]),
  codex('insufficient-quota-429', '429 type/code insufficient_quota', [
    { status: 429, type: 'insufficient_quota', message: 'You exceeded your current quota, please check your plan and billing details.', repeat: FOREVER },
  ]),
  codex('auth-401', '401 code invalid_api_key on every request', [
    { status: 401, type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided: sk-test.', repeat: FOREVER },
  ]),
  codex('server-500', '500 server_error on every request', [
    { status: 500, type: 'server_error', message: 'The server had an error while processing your request.', repeat: FOREVER },
  ]),
  codex('overloaded-503', '503 code server_is_overloaded on every request', [
    { status: 503, type: 'service_unavailable_error', code: 'server_is_overloaded', message: 'The server is overloaded. Please try again later.', repeat: FOREVER },
  ]),
  codex('stream-rate-limit', '200 stream ending in response.failed code rate_limit_exceeded, every request', [
    { failed: { code: 'rate_limit_exceeded', message: 'Rate limit reached for gpt-fake. Please try again in 1s.' }, repeat: FOREVER },
  ]),
  codex('context-length-exceeded', '200 stream ending in response.failed code context_length_exceeded', [
    { failed: { code: 'context_length_exceeded', message: 'Your input exceeds the context window of this model.' }, repeat: FOREVER },
  ]),
  codex('stall-idle-timeout', 'stream goes silent after response.created, every request; stream_idle_timeout_ms=2000', [
    { stallAfterStart: true, repeat: FOREVER },
  ], { codexHome: { streamIdleTimeoutMs: 2000 } }),
];

export const cases = [...claudeCases, ...codexCases];
