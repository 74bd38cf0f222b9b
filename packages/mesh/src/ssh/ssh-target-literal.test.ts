import { describe, expect, it } from 'vitest';
import { formatHostSpec, parseProxyJump, parseTargetLiteral } from './ssh-target-literal.js';

describe('parseTargetLiteral', () => {
  it('should read aliases, user@host[:port], IPv6 forms and ssh:// URIs', () => {
    const inputs = ['web', 'ada@web', 'ada@web:2222', 'web:22', '[::1]:2222', 'root@[fe80::1%eth0]:22', '::1', 'bob@fd00::5', 'ssh://me%40corp@h:2022/', 'a@b@host'];
    expect(Object.fromEntries(inputs.map((input) => [input, parseTargetLiteral(input)]))).toMatchInlineSnapshot(`
      {
        "::1": {
          "hostname": "::1",
        },
        "[::1]:2222": {
          "hostname": "::1",
          "port": 2222,
        },
        "a@b@host": {
          "hostname": "host",
          "user": "a@b",
        },
        "ada@web": {
          "hostname": "web",
          "user": "ada",
        },
        "ada@web:2222": {
          "hostname": "web",
          "port": 2222,
          "user": "ada",
        },
        "bob@fd00::5": {
          "hostname": "fd00::5",
          "user": "bob",
        },
        "root@[fe80::1%eth0]:22": {
          "hostname": "fe80::1%eth0",
          "port": 22,
          "user": "root",
        },
        "ssh://me%40corp@h:2022/": {
          "hostname": "h",
          "port": 2022,
          "user": "me@corp",
        },
        "web": {
          "hostname": "web",
        },
        "web:22": {
          "hostname": "web",
          "port": 22,
        },
      }
    `);
  });

  it('should return null for malformed targets', () => {
    for (const input of ['@web', 'web:', 'web:65536', 'web:0x16', '[::1', '[::1]x', 'ssh://h/path', '@::1']) {
      expect({ input, parsed: parseTargetLiteral(input) }).toEqual({ input, parsed: null });
    }
  });
});

describe('parseProxyJump', () => {
  it('should split hops, strip a trailing comment and accept host/port and URIs', () => {
    expect(parseProxyJump('a@j1:2201,[::1]:23,j3/2022,ssh://b@j4 # via the bastion')).toEqual([
      { user: 'a', hostname: 'j1', port: 2201 },
      { hostname: '::1', port: 23 },
      { hostname: 'j3', port: 2022 },
      { user: 'b', hostname: 'j4' },
    ]);
  });

  it('should give an empty list for none and null for a malformed hop', () => {
    expect(parseProxyJump('NONE')).toEqual([]);
    expect(parseProxyJump('a,,b')).toBeNull();
    expect(parseProxyJump('a@b:x')).toBeNull();
  });
});

describe('formatHostSpec', () => {
  it('should write hops back so they parse to the same spec', () => {
    for (const spec of [{ hostname: 'h' }, { user: 'u', hostname: 'fd00::1', port: 22 }, { hostname: 'h', port: 2200 }]) {
      expect(parseTargetLiteral(formatHostSpec(spec))).toEqual(spec);
    }
  });
});
