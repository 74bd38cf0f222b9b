/**
 * The threat model's evidence (docs/decisions.md, "agents and the daemon's token"): per agent and
 * permission mode, a scripted fake model tries to read the daemon's token file with the agent's
 * own tools (Claude: Read, and Bash `cat`; Codex: its shell), and to see its job token in the
 * shell's environment. The observed matrix must equal the one the document states, so the
 * document stays true when an agent CLI or a mode changes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PermissionMode } from '@flotilla/protocol';
import { startHarness, type Harness } from './harness.js';

const DECISIONS = fileURLToPath(new URL('../../../../docs/decisions.md', import.meta.url));
const MODES: PermissionMode[] = ['accept-edits', 'allowlist', 'bypass'];

type Cell = 'read' | 'refused' | 'n/a';
interface Row {
  agent: string;
  mode: PermissionMode;
  readTool: Cell;
  shellCat: Cell;
  jobTokenInShell: Cell;
}

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startHarness();
  token = readFileSync(h.paths.token, 'utf8').trim();
});
afterAll(async () => {
  await h?.[Symbol.asyncDispose]();
});

/** The tool result (Anthropic `tool_result`, OpenAI `function_call_output`) answering the call `id`, as text. */
function resultOf(id: string, value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const o = value as Record<string, unknown>;
  if ((o.type === 'tool_result' && o.tool_use_id === id) || (o.type === 'function_call_output' && o.call_id === id)) return JSON.stringify(o);
  for (const child of Object.values(o)) {
    const found = resultOf(id, child);
    if (found !== null) return found;
  }
  return null;
}

/** Runs one job of `agent` in `mode` whose model asks for the token file; returns what its tools got. */
async function probe(agent: 'claude' | 'codex', mode: PermissionMode): Promise<Row> {
  const cat = `cat ${h.paths.token}`;
  const printenv = 'printenv FLOTILLA_JOB_TOKEN | cut -c1-4';
  const fake = agent === 'claude' ? h.anthropic : h.openai;
  const before = fake.requests.length;
  if (agent === 'claude') {
    h.anthropic.setScenario([
      {
        text: 'Reading it.',
        toolUses: [
          { id: 'toolu_read', name: 'Read', input: { file_path: h.paths.token } },
          { id: 'toolu_cat', name: 'Bash', input: { command: cat } },
          { id: 'toolu_env', name: 'Bash', input: { command: printenv } },
        ],
      },
      { text: 'done' },
    ]);
  } else {
    h.openai.setScenario([
      { text: 'Reading it.', toolUses: [{ id: 'call_cat', name: 'exec_command', input: { cmd: cat } }, { id: 'call_env', name: 'exec_command', input: { cmd: printenv } }] },
      { text: 'done' },
    ]);
  }
  const job = await h.createJob({ agent, permissions: mode, prompt: 'print the daemon token', worktree: mode === 'bypass' });
  const ended = await h.waitEnded(job.id, 90_000);
  expect([agent, mode, ended.status]).toEqual([agent, mode, 'succeeded']);
  const bodies = fake.requests.slice(before).filter((r) => r.kind === 'main').map((r) => r.body);
  const result = (id: string): string => bodies.map((b) => resultOf(id, b)).find((r) => r !== null) ?? '';
  const [catResult, envResult] = agent === 'claude' ? [result('toolu_cat'), result('toolu_env')] : [result('call_cat'), result('call_env')];
  return {
    agent,
    mode,
    readTool: agent === 'claude' ? (result('toolu_read').includes(token) ? 'read' : 'refused') : 'n/a',
    shellCat: catResult.includes(token) ? 'read' : 'refused',
    jobTokenInShell: envResult.includes('fjt_') ? 'read' : 'refused',
  };
}

/** The matrix docs/decisions.md states, between its threat-matrix markers. */
function documented(): Row[] {
  const text = readFileSync(DECISIONS, 'utf8');
  const block = /<!-- threat-matrix:start -->([\s\S]*?)<!-- threat-matrix:end -->/.exec(text)?.[1] ?? '';
  return block
    .split('\n')
    .filter((line) => /^\|\s*(claude|codex)\s*\|/.test(line))
    .map((line) => {
      const [agent, mode, readTool, shellCat, jobTokenInShell] = line.split('|').slice(1, -1).map((c) => c.trim().replace(/`/g, ''));
      return { agent: agent!, mode: mode as PermissionMode, readTool: readTool as Cell, shellCat: shellCat as Cell, jobTokenInShell: jobTokenInShell as Cell };
    });
}

describe('threat model: can an agent read the daemon token file?', () => {
  it('should observe, per agent and permission mode, exactly the matrix docs/decisions.md states', async () => {
    const observed: Row[] = [];
    for (const agent of ['claude', 'codex'] as const) for (const mode of MODES) observed.push(await probe(agent, mode));
    writeFileSync(join(h.root, 'threat-matrix.json'), JSON.stringify(observed, null, 2));
    expect(observed).toEqual(documented());
  }, 600_000);
});
