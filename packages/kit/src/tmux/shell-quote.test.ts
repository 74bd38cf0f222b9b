import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote, tmuxSocketName } from './index.js';

/** Lets a real POSIX shell split the quoted line and report each word NUL-terminated. */
function splitByShell(line: string): string[] {
  const out = execFileSync('sh', ['-c', `set -- ${line}; for a in "$@"; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  it('should leave safe words bare and quote the rest', () => {
    expect(shellQuote(['claude', '-p', '--model=opus', '/tmp/a.txt'])).toBe('claude -p --model=opus /tmp/a.txt');
    expect(shellQuote(["it's", '', 'a b'])).toBe(`'it'\\''s' '' 'a b'`);
  });

  it('should survive a round trip through sh for hostile arguments', () => {
    const argv = ["it's", 'a  b', '', '$HOME', '$(id)', '`id`', '*', '?', '~', 'a\nb', '"', '\\', ';', '&&', '|', '#x', '!', 'tab\there', '€ ünï'];
    expect(splitByShell(shellQuote(argv))).toEqual(argv);
  });
});

describe('tmuxSocketName', () => {
  it('should be flotilla- plus 12 hex digits of the resolved home', () => {
    const name = tmuxSocketName('/home/me/.flotilla');
    expect(name).toMatch(/^flotilla-[0-9a-f]{12}$/);
    expect(tmuxSocketName('/home/me/.flotilla/')).toBe(name);
    expect(tmuxSocketName('/home/me/other/../.flotilla')).toBe(name);
    expect(tmuxSocketName('/home/me/.flotilla2')).not.toBe(name);
    expect(tmuxSocketName('.')).toBe(tmuxSocketName(process.cwd()));
  });
});
