import { describe, expect, it } from 'vitest';
import { parseWorktreeInclude } from './include.js';

describe('parseWorktreeInclude', () => {
  it('should keep gitignore-style patterns and skip comments and blank lines', () => {
    const text = '# secrets\n.env*\r\n\nconfig/*.local.json\n/anchored.txt\n!.env.example\n';
    expect(parseWorktreeInclude(text)).toEqual({
      patterns: ['.env*', 'config/*.local.json', '/anchored.txt', '!.env.example'],
      refused: [],
    });
  });

  it('should refuse lines that could reach outside the repository', () => {
    const text = '../x\nconfig/../../y\n~/.ssh/id_rsa\nC:\\secrets\n!../z\nok\n';
    expect(parseWorktreeInclude(text)).toEqual({
      patterns: ['ok'],
      refused: ['../x', 'config/../../y', '~/.ssh/id_rsa', 'C:\\secrets', '!../z'],
    });
  });
});
