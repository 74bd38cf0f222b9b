import { describe, expect, it } from 'vitest';
import { createSseParser } from './sse.js';

describe('createSseParser', () => {
  it('should assemble messages split across chunks, with ids, event names and multi-line data', () => {
    const parse = createSseParser();
    expect(parse('id: 7\nevent: job.upd')).toEqual([]);
    expect(parse('ated\ndata: {"a":1}\n')).toEqual([]);
    expect(parse('\n: ping\n\ndata: x\ndata: y\n\n')).toEqual([
      { id: '7', event: 'job.updated', data: '{"a":1}' },
      { id: '7', event: 'message', data: 'x\ny' },
    ]);
  });

  it('should accept CRLF line endings', () => {
    expect(createSseParser()('id: 1\r\ndata: z\r\n\r\n')).toEqual([{ id: '1', event: 'message', data: 'z' }]);
  });
});
