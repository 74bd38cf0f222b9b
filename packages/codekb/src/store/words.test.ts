import { describe, expect, it } from 'vitest';
import { fileWords, queryWords, splitIdentifier } from './words.js';

describe('words', () => {
  it('should split identifiers on case, digits and separators', () => {
    expect(splitIdentifier('parseHTTPRequest_v2')).toEqual(['parse', 'http', 'request', 'v2']);
  });

  it("should list a text's distinct words once each, identifiers also split", () => {
    expect(fileWords('const parseConfig = parse(cfg); // parse the CONFIG_FILE, not a ﬁle — “Straße”')).toBe(
      'const parseconfig parse config cfg the config_file file not a ﬁle — “straße”',
    );
    expect(fileWords('')).toBe('');
  });

  it('should make the same words of a query as of the text it should find', () => {
    expect(queryWords('parseConfig loader, Parse')).toEqual(['parseconfig', 'parse', 'config', 'loader']);
    expect(queryWords('ZodString.parse')).toEqual(['zodstring', 'zod', 'string', 'parse']);
    expect(queryWords('  ... ')).toEqual([]);
  });
});
