import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docText } from '../store/doc-text.js';
import { signatureText } from '../store/signature.js';
import { openRepoIndex } from '../query/repo-index.js';
import { search } from '../query/search.js';
import { definition, outline, references } from '../query/symbols.js';
import { tempFixtureRepo } from '../test-support/fixture.js';
import { indexRepository } from './indexer.js';
import { extractMarkdown, isMarkdown } from './markdown.js';

const GUIDE = `# Shapes guide

How to work with shapes.

## Circles

Use \`Circle\` and call \`Circle.area()\` for the area.

\`\`\`ts
# not a heading inside a fence
const c = new Circle(2);
\`\`\`

### Scaling

\`scale\` returns a new shape.

## Totals ##

\`totalArea\` sums them.
`;

describe('markdown sections', () => {
  it('should turn headings into nested sections with ranges, docs and code-span references', () => {
    const { symbols, refs } = extractMarkdown(GUIDE);
    expect(symbols.map((s) => [s.name, s.container, s.startLine, s.endLine, s.doc?.text])).toEqual([
      ['Shapes guide', null, 1, 20, 'How to work with shapes.'],
      ['Circles', 'Shapes guide', 5, 17, 'Use `Circle` and call `Circle.area()` for the area.'],
      ['Scaling', 'Circles', 14, 17, '`scale` returns a new shape.'],
      ['Totals', 'Shapes guide', 18, 20, '`totalArea` sums them.'],
    ]);
    expect(refs.map((r) => [r.name, r.line, r.symbol])).toEqual([
      ['Circle', 7, 1],
      ['area', 7, 1],
      ['scale', 16, 2],
      ['totalArea', 20, 3],
    ]);
    // What the index stores is where each heading and doc lies: read back, they are the same text.
    const bytes = Buffer.from(GUIDE, 'utf8');
    for (const symbol of symbols) {
      expect(signatureText(bytes.subarray(symbol.signatureStart, symbol.signatureStart + symbol.signatureLength))).toBe(GUIDE.split('\n')[symbol.startLine - 1]!.trim());
      expect(docText(bytes.toString('utf8', symbol.doc!.start, symbol.doc!.start + symbol.doc!.length), symbol.doc!.form)).toBe(symbol.doc!.text);
    }
    expect(isMarkdown('docs/README.MD')).toBe(true);
    expect(isMarkdown('src/a.ts')).toBe(false);
  });

  it('should make documentation searchable, citable and linked to the symbols it mentions', async () => {
    using fixture = tempFixtureRepo();
    writeFileSync(join(fixture.root, 'docs', 'guide.md'), GUIDE);
    await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    using repo = openRepoIndex({ root: fixture.root, dbPath: fixture.dbPath });
    expect(definition(repo, 'Scaling')[0]).toMatchObject({ path: 'docs/guide.md', line: 14, kind: 'section', container: 'Circles' });
    expect(references(repo, 'totalArea')).toContainEqual(expect.objectContaining({ path: 'docs/guide.md', line: 20, enclosing: 'Totals' }));
    expect(outline(repo, 'docs/guide.md')?.[0]).toMatchObject({ name: 'Shapes guide', children: [expect.objectContaining({ name: 'Circles' }), expect.objectContaining({ name: 'Totals' })] });
    const hits = await search(repo, 'shapes guide');
    expect(hits[0]).toMatchObject({ path: 'docs/guide.md', line: 1, source: 'symbol' });
  });
});
