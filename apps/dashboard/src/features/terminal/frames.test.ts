import { describe, expect, it } from 'vitest';
import { binaryInputFrame, decodeBase64, encodeBase64, inputFrame, parseServerFrame, terminalUrl } from './frames';

describe('decodeBase64', () => {
  it('should give the exact bytes of an output frame, including invalid UTF-8 and a split character', () => {
    // "é" is c3 a9; a chunk may end between the two bytes, and a program may print any byte.
    const bytes = Uint8Array.from([0x1b, 0x5b, 0x48, 0x63, 0xc3, 0xff, 0x00]);
    const data = Buffer.from(bytes).toString('base64');
    expect([...decodeBase64(data)]).toEqual([...bytes]);
  });

  it('should decode an empty frame to no bytes', () => {
    expect(decodeBase64('').length).toBe(0);
  });
});

describe('encodeBase64', () => {
  it('should round-trip a large buffer (a paste larger than one slice)', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
    expect(Buffer.from(encodeBase64(bytes), 'base64').equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('inputFrame', () => {
  it('should send typed text as UTF-8 bytes in base64', () => {
    const frame = JSON.parse(inputFrame('héllo\r')) as { type: string; data: string };
    expect(frame.type).toBe('input');
    expect(Buffer.from(frame.data, 'base64').toString('utf8')).toBe('héllo\r');
  });

  it('should send binary input byte for byte', () => {
    const frame = JSON.parse(binaryInputFrame('\x1b[M\xff\x80')) as { data: string };
    expect([...Buffer.from(frame.data, 'base64')]).toEqual([0x1b, 0x5b, 0x4d, 0xff, 0x80]);
  });
});

describe('parseServerFrame', () => {
  it('should accept the protocol frames', () => {
    const hello = { type: 'hello', target: { kind: 'session', id: 'x', name: 'rev' }, cols: 200, rows: 50, readOnly: true, encoding: 'base64' };
    expect(parseServerFrame(JSON.stringify(hello))).toEqual(hello);
    expect(parseServerFrame('{"type":"output","data":"aGk="}')).toEqual({ type: 'output', data: 'aGk=' });
    expect(parseServerFrame('{"type":"exit","reason":"exited","state":"exited"}')).toMatchObject({ type: 'exit', reason: 'exited' });
  });

  it('should ignore what is not a frame', () => {
    expect(parseServerFrame('not json')).toBeNull();
    expect(parseServerFrame('{"type":"output","data":"%%%"}')).toBeNull();
    expect(parseServerFrame(new ArrayBuffer(2))).toBeNull();
  });
});

describe('terminalUrl', () => {
  it('should use ws on http and wss on https, and encode the name', () => {
    expect(terminalUrl({ protocol: 'http:', host: '127.0.0.1:8787' }, 'rev.1')).toBe('ws://127.0.0.1:8787/api/sessions/rev.1/terminal');
    expect(terminalUrl({ protocol: 'https:', host: 'hub.example' }, 'a b')).toBe('wss://hub.example/api/sessions/a%20b/terminal');
  });

  it('should ask for input with the token only when given one', () => {
    const url = new URL(terminalUrl({ protocol: 'http:', host: 'h' }, 'rev', 'tok/+='));
    expect(url.searchParams.get('input')).toBe('1');
    expect(url.searchParams.get('token')).toBe('tok/+=');
  });
});
