import { describe, expect, it } from 'vitest';
import { createLocalLink } from './local-link.js';

describe('createLocalLink exec', () => {
  it('should give the exit status of a command that exits without reading its stdin, and throw nothing out of the process', async () => {
    const link = createLocalLink({ name: 'here' });
    const input = 'x'.repeat(4 * 1024 * 1024); // far more than a pipe holds, so the write meets a closed pipe
    try {
      for (let run = 0; run < 3; run += 1) expect((await link.exec('exit 3', { stdin: input })).code).toBe(3);
      expect(await link.exec('wc -c', { stdin: 'four' })).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\s*4\s*$/) });
    } finally {
      await link.close();
    }
  });
});
