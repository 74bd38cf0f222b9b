// Command lines and scripts for bare hosts: the agents' shapes, the prompt only ever read from its
// file inside double quotes, values shell-quoted (checked by running the text through a real sh),
// ids and key hashes refused before they reach a script; the event feed's ids and resync; reading
// results from output and UTF-8 chunks at byte offsets.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { agentJobCommand, agentSessionArgv } from './bare-agents.js';
import { createBareEventFeed } from './bare-event-feed.js';
import { decodeUtf8Chunk, readResult } from './bare-result.js';
import { createJobScript, jobWrapperScript, pollScript, writeStateFileScript } from './bare-scripts.js';
import { screenShows } from './bare-sessions.js';

const ID = '01JB0000000000000000000001';
/** argv as `sh` splits `text` (each word NUL-terminated by printf). */
const shWords = (text: string): string[] => execFileSync('sh', ['-c', `printf '%s\\0' ${text}`], { encoding: 'utf8' }).split('\0').slice(0, -1);

describe('agentJobCommand', () => {
  const base = { model: null, permissions: 'accept-edits' as const, cwd: "/src/it's here" };

  it('builds claude, codex and any other agent the way cb does, the prompt from its file', () => {
    expect(agentJobCommand({ ...base, agent: 'claude' }, '"$J/prompt"').command).toBe(
      'claude -p --output-format stream-json --verbose --model sonnet --permission-mode acceptEdits -- "$(cat "$J/prompt")"',
    );
    expect(agentJobCommand({ ...base, agent: 'claude', permissions: 'bypass', isRoot: true }, 'f').env).toEqual({ IS_SANDBOX: '1' });
    const codex = agentJobCommand({ ...base, agent: 'codex', model: 'gpt-5' }, 'f');
    expect(codex).toMatchObject({ outputFormat: 'jsonl', command: `codex exec --json --skip-git-repo-check -m gpt-5 -s workspace-write -C '/src/it'\\''s here' -- "$(cat f)"` });
    expect(agentJobCommand({ ...base, agent: 'aider' }, 'f')).toMatchObject({ command: 'aider "$(cat f)"', outputFormat: 'text' });
  });

  it('quotes values so sh reads them back exactly', () => {
    const codex = agentJobCommand({ ...base, agent: 'codex' }, 'f').command;
    expect(shWords(codex.slice(0, codex.indexOf(' -- ')))).toContain("/src/it's here");
  });

  it('starts sessions with the agent UI', () => {
    expect(agentSessionArgv('claude', null)).toEqual(['claude', '--model', 'sonnet']);
    expect(agentSessionArgv('codex', 'o3')).toEqual(['codex', '-m', 'o3']);
  });
});

describe('scripts', () => {
  it('refuse ids, directories and key hashes that are not what they claim', () => {
    expect(() => pollScript(['jobs/$(reboot)'])).toThrow(/not a bare record directory/);
    expect(() => writeStateFileScript('jobs/../../etc', 'lost')).toThrow();
    const input = { id: ID, keyHash: 'a'.repeat(64), cwd: '/w', agentCommand: 'true', env: {} };
    expect(() => createJobScript({ ...input, keyHash: 'zz; rm -rf ~' })).toThrow(/sha256/);
    expect(() => createJobScript({ ...input, id: 'x; reboot' })).toThrow(/not a ULID/);
    expect(() => createJobScript({ ...input, env: { 'A B': '1' } })).toThrow(/environment variable name/);
  });

  it('quote the working directory and environment values into the create script', () => {
    const script = createJobScript({ id: ID, keyHash: 'b'.repeat(64), cwd: "/tmp/a dir/it's", agentCommand: 'claude', env: { IS_SANDBOX: "1'; reboot" } });
    expect(script).toContain(`[ -d '/tmp/a dir/it'\\''s' ]`);
    expect(script).toContain(`-e 'IS_SANDBOX=1'\\''; reboot'`);
    expect(execFileSync('sh', ['-n', '-c', script]).toString()).toBe('');
  });

  it('wrap the agent so its exit code is recorded whatever it is', () => {
    const wrapper = jobWrapperScript('sh -c "exit 7"');
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    execFileSync('sh', ['-c', wrapper], { env: { ...process.env, FLOTILLA_BARE_JOB: dir } });
    expect(execFileSync('cat', [`${dir}/exit`], { encoding: 'utf8' })).toMatch(/^7 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
    execFileSync('rm', ['-rf', dir]);
  });
});

describe('the event feed', () => {
  it('numbers events from its start time, replays after a known id, and asks an older reader to resync', async () => {
    let clock = 1_000;
    const feed = createBareEventFeed({ host: 'h', now: () => new Date(clock++) });
    const job = { type: 'job.updated', job: {} } as never;
    const [first, second] = feed.publish([job, job]);
    expect(first!.id).toBe(1_000_000 + 1);
    const read = async (last: number | null): Promise<string[]> => {
      const stream = feed.stream(last);
      const chunks: string[] = [];
      const reading = (async () => {
        for await (const chunk of stream.chunks) chunks.push(chunk);
      })();
      await new Promise((resolve) => setTimeout(resolve, 10));
      stream.close();
      await reading;
      return chunks;
    };
    expect(await read(first!.id)).toEqual([expect.stringContaining(`id: ${second!.id}\n`)]);
    expect(await read(second!.id)).toEqual([]);
    const older = await read(999);
    expect(older).toHaveLength(1);
    expect(older[0]).toContain('"type":"resync"');
    expect(older[0]).toContain(`id: ${second!.id}\n`);
  });
});

describe('results and output', () => {
  it("reads Claude's result event, Codex's last message, or a text agent's output", () => {
    const claude = ['{"type":"system","session_id":"s1"}', '{"type":"result","result":"ok","is_error":true,"session_id":"s1"}'].join('\n');
    expect(readResult('stream-json', claude)).toMatchObject({ result: 'ok', agentSessionId: 's1', agentError: true });
    const codex = ['{"type":"thread.started","thread_id":"t1"}', '{"type":"item.completed","item":{"type":"agent_message","text":"done"}}'].join('\n');
    expect(readResult('jsonl', codex)).toMatchObject({ result: 'done', agentSessionId: 't1' });
    expect(readResult('text', 'line\nlast\n')).toMatchObject({ result: 'line\nlast' });
  });

  it('keeps a UTF-8 character cut by a chunk for the next chunk', () => {
    const bytes = Buffer.from('ab✓', 'utf8');
    expect(decodeUtf8Chunk(bytes.subarray(0, 4).toString('base64'))).toEqual({ text: 'ab', bytes: 2 });
    expect(decodeUtf8Chunk(bytes.toString('base64'))).toEqual({ text: 'ab✓', bytes: 5 });
  });

  it('confirms typed text by the end of it on the screen, across wrapped lines', () => {
    expect(screenShows('> please review the bra\nnch called feature-x', 'please review the branch called feature-x')).toBe(true);
    expect(screenShows('> something else', 'please review the branch called feature-x')).toBe(false);
  });
});
