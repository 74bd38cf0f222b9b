import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createAgentRegistry } from './registry.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const files = ['../../test-fixtures', 'fixtures'].flatMap((dir) =>
  ['claude', 'codex'].flatMap((agent) => {
    try {
      return readdirSync(join(root, dir, agent)).map((f) => ({ agent, path: join(root, dir, agent, f) }));
    } catch {
      return [];
    }
  }),
);

describe('createTranscriber', () => {
  const agents = createAgentRegistry({ plain: { argv: ['x'], outputFormat: 'jsonl' } });

  it.each(files)('should match transcript() when fed $path line by line', ({ agent, path }) => {
    const lines = (JSON.parse(readFileSync(path, 'utf8')) as { stdout: string }).stdout.split('\n');
    const adapter = agents.get(agent)!;
    const transcriber = adapter.createTranscriber();
    expect(lines.flatMap((line) => transcriber.push(line))).toEqual(adapter.transcript(lines));
  });

  it('should number entries by raw line', () => {
    const transcriber = agents.get('plain')!.createTranscriber();
    transcriber.push('{"type":"text","text":"a"}');
    transcriber.push('');
    expect(transcriber.push('{"type":"text","text":"b"}')).toEqual([{ type: 'text', at: 2, text: 'b' }]);
  });
});
