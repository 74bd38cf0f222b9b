import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '@flotilla/testkit';
import { recorderScriptPath } from './launch.js';

/** Runs the compiled recorder as an agent would: `node record-hook.cjs <dir> <event>`, JSON on stdin. */
function runRecorder(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [recorderScriptPath(), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
    child.stdin.end(stdin);
  });
}

const readLines = async (path: string) => (await readFile(path, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('record-hook', () => {
  it('should append one line with the time, the event and the payload, and print nothing', async () => {
    await using dir = await makeTempDir('record-hook-');
    const before = Date.now();
    const payload = { hook_event_name: 'UserPromptSubmit', session_id: 's-1', prompt: 'line one\n\tline two "quoted"' };
    const result = await runRecorder([dir.path, 'UserPromptSubmit'], JSON.stringify(payload));
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const lines = await readLines(join(dir.path, 'hooks.jsonl'));
    expect(lines).toEqual([{ at: expect.any(Number), event: 'UserPromptSubmit', payload }]);
    expect(lines[0]?.at).toBeGreaterThanOrEqual(before);
    console.log(`record-hook: one run took ${result.ms} ms (node start-up included)`);
  });

  it('should take the event from the argument when the payload does not name it', async () => {
    await using dir = await makeTempDir('record-hook-');
    await runRecorder([dir.path, 'Stop'], '{"session_id":"s-2"}');
    await runRecorder([dir.path, 'Stop'], '');
    expect(await readLines(join(dir.path, 'hooks.jsonl'))).toEqual([
      { at: expect.any(Number), event: 'Stop', payload: { session_id: 's-2' } },
      { at: expect.any(Number), event: 'Stop', payload: null },
    ]);
  });

  it('should exit 0 on malformed stdin and write the error to hooks.err', async () => {
    await using dir = await makeTempDir('record-hook-');
    const result = await runRecorder([dir.path, 'PreToolUse'], '{"not json');
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await readLines(join(dir.path, 'hooks.jsonl'))).toEqual([]);
    expect(await readLines(join(dir.path, 'hooks.err'))).toEqual([{ at: expect.any(Number), event: 'PreToolUse', error: expect.stringMatching(/JSON/) }]);
  });

  it('should exit 0 even when the session directory is gone', async () => {
    const result = await runRecorder(['/nonexistent/flotilla-session', 'Stop'], '{}');
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });
});
