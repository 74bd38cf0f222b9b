import { describe, expect, it } from 'vitest';
import { parseSshConfig, splitArguments } from './ssh-config-parse.js';

describe('parseSshConfig', () => {
  it('should group directives under their Host and Match lines, keywords lower-cased', () => {
    const parsed = parseSshConfig('User top\n\n# comment\nHost web *.corp\n  HostName=10.0.0.5\nMATCH host x\n  Port = 22\n', { path: 'cfg' });
    expect(parsed).toMatchInlineSnapshot(`
      {
        "ok": true,
        "value": {
          "blocks": [
            {
              "args": [],
              "directives": [
                {
                  "args": [
                    "top",
                  ],
                  "keyword": "user",
                  "line": 1,
                  "rest": "top",
                },
              ],
              "kind": "global",
              "line": 0,
            },
            {
              "args": [
                "web",
                "*.corp",
              ],
              "directives": [
                {
                  "args": [
                    "10.0.0.5",
                  ],
                  "keyword": "hostname",
                  "line": 5,
                  "rest": "10.0.0.5",
                },
              ],
              "kind": "host",
              "line": 4,
            },
            {
              "args": [
                "host",
                "x",
              ],
              "directives": [
                {
                  "args": [
                    "22",
                  ],
                  "keyword": "port",
                  "line": 7,
                  "rest": "22",
                },
              ],
              "kind": "match",
              "line": 6,
            },
          ],
          "path": "cfg",
        },
      }
    `);
  });

  it('should report every malformed line with its file and line number', () => {
    const parsed = parseSshConfig('Host x\n  User\n  IdentityFile "unterminated\n', { path: '/home/a/.ssh/config' });
    expect(parsed).toMatchInlineSnapshot(`
      {
        "issues": [
          {
            "line": 2,
            "message": "no argument after keyword "user"",
            "path": "/home/a/.ssh/config",
          },
          {
            "line": 3,
            "message": "invalid quotes in the arguments of "identityfile"",
            "path": "/home/a/.ssh/config",
          },
        ],
        "ok": false,
      }
    `);
  });
});

describe('splitArguments', () => {
  it('should split like argv_split: quotes mid-word, escapes, # only at the start of a word', () => {
    expect(splitArguments(`a "b c" d"e f"g 'h' x\\ y \\"q\\" hash#in # comment`)).toEqual([
      'a', 'b c', 'de fg', 'h', 'x y', '"q"', 'hash#in',
    ]);
  });

  it('should keep unrecognised escapes and return null on an open quote', () => {
    expect(splitArguments('C:\\path \\n')).toEqual(['C:\\path', '\\n']);
    expect(splitArguments('"open')).toBeNull();
  });
});
