import { describe, expect, it } from 'vitest';
import { citationHref, EMPTY_VIEW, initialRange, parseView, viewHref } from './knowledge-view';

describe('knowledge view', () => {
  it('should round-trip a view through the address', () => {
    const view = { repo: '/src/app', mode: 'search' as const, q: 'new Circle(', literal: true, language: 'tsx', glob: 'src/**', file: 'src/widget.tsx', line: 9 };
    const href = viewHref(view);
    expect(href).toBe('/knowledge?repo=%2Fsrc%2Fapp&q=new+Circle%28&literal=1&language=tsx&glob=src%2F**&file=src%2Fwidget.tsx&line=9');
    expect(parseView(new URLSearchParams(href.split('?')[1]))).toEqual(view);
  });

  it('should drop the search-only filters from definition and references, and read junk as defaults', () => {
    expect(viewHref({ ...EMPTY_VIEW, repo: '/r', mode: 'definition', q: 'Circle.area', literal: true, glob: 'x' })).toBe('/knowledge?repo=%2Fr&mode=definition&q=Circle.area');
    expect(parseView(new URLSearchParams('mode=grep&line=-3&literal=yes'))).toEqual(EMPTY_VIEW);
    expect(viewHref(EMPTY_VIEW)).toBe('/knowledge');
  });

  it('should link a cited hit to its file at the line, keeping the query', () => {
    expect(citationHref({ ...EMPTY_VIEW, repo: '/r', q: 'area' }, { path: 'a b.ts', line: 12 })).toBe('/knowledge?repo=%2Fr&q=area&file=a+b.ts&line=12');
  });

  it('should open a file with context around the line, never before line 1', () => {
    expect(initialRange(100)).toEqual({ start: 60, end: 140 });
    expect(initialRange(3)).toEqual({ start: 1, end: 43 });
    expect(initialRange(0)).toEqual({ start: 1, end: 41 });
  });
});
