import { describe, expect, it } from 'vitest';
import { matchHostLine, matchPattern, matchPatternList } from './ssh-patterns.js';
import { expandGlob, globComponentRegExp } from './ssh-config-include.js';
import { expandPercent, expandTilde } from './ssh-tokens.js';

describe('matchPattern', () => {
  it('should match * and ? over the whole string, case-sensitively', () => {
    const cases: Array<[string, string, boolean]> = [
      ['web1.corp', '*.corp', true], ['corp', '*.corp', false], ['app1', 'app?', true], ['app12', 'app?', false],
      ['abcabd', '*ab?', true], ['', '*', true], ['WEB', 'web', false], ['a*b', 'a*b', true],
    ];
    expect(cases.map(([value, pattern]) => matchPattern(value, pattern))).toEqual(cases.map((c) => c[2]));
  });
});

describe('matchPatternList', () => {
  it('should let a negated pattern veto the list and optionally ignore case', () => {
    expect(matchPatternList('Web.Corp', '*.corp,!db*', true)).toBe(1);
    expect(matchPatternList('db1.corp', '*.corp,!db*', true)).toBe(-1);
    expect(matchPatternList('x', 'a,b', false)).toBe(0);
    expect(matchPatternList('Root', 'root', false)).toBe(0);
  });
});

describe('matchHostLine', () => {
  it('should say whether the host was named by something more specific than *', () => {
    expect(matchHostLine('web', ['*'])).toEqual({ matched: true, specific: false });
    expect(matchHostLine('web', ['*', 'web'])).toEqual({ matched: true, specific: true });
    expect(matchHostLine('web', ['*', '!web'])).toEqual({ matched: false, specific: false });
    expect(matchHostLine('a', ['a,b'])).toEqual({ matched: false, specific: false });
  });
});

describe('expandGlob', () => {
  it('should expand wildcard components in sorted order and skip dotfiles', async () => {
    const tree: Record<string, string[]> = { '/h/.ssh': ['conf.d', 'x'], '/h/.ssh/conf.d': ['b.conf', 'a.conf', '.c.conf', 'd.txt'] };
    const readDir = async (path: string) => tree[path] ?? [];
    expect(await expandGlob('/h/.ssh/*/[ab].conf', readDir)).toEqual(['/h/.ssh/conf.d/a.conf', '/h/.ssh/conf.d/b.conf']);
    expect(await expandGlob('/h/.ssh/conf.d/*', readDir)).toEqual(['/h/.ssh/conf.d/a.conf', '/h/.ssh/conf.d/b.conf', '/h/.ssh/conf.d/d.txt']);
    expect(await expandGlob('/h/.ssh/literal', readDir)).toEqual(['/h/.ssh/literal']);
  });

  it('should support negated character classes', () => {
    expect(globComponentRegExp('[!a]*.conf').test('b.conf')).toBe(true);
    expect(globComponentRegExp('[!a]*.conf').test('a.conf')).toBe(false);
  });
});

describe('token expansion', () => {
  it('should expand %% and known tokens and reject unknown ones', () => {
    expect(expandPercent('%r@%h:%p %%h', { r: 'u', h: 'x', p: '22' }, 'IdentityFile')).toBe('u@x:22 %h');
    expect(() => expandPercent('%q', {}, 'IdentityFile')).toThrow(/%q is not a token IdentityFile accepts/);
    expect(() => expandPercent('50%', {}, 'IdentityFile')).toThrow(/trailing %/);
  });

  it('should expand ~ and ~localUser but refuse other users', () => {
    expect(expandTilde('~', '/home/ada', 'ada')).toBe('/home/ada');
    expect(expandTilde('~/.ssh/k', '/home/ada/', 'ada')).toBe('/home/ada/.ssh/k');
    expect(expandTilde('~ada/k', '/home/ada', 'ada')).toBe('/home/ada/k');
    expect(() => expandTilde('~bob/k', '/home/ada', 'ada')).toThrow(/~bob/);
  });
});
