import { describe, expect, it } from 'vitest';
import { fitFontSize } from './fit';

const pane = { cols: 200, cellRatio: 0.6, minFontSize: 9, maxFontSize: 14 };

describe('fitFontSize', () => {
  it('should keep the largest font on a wide screen', () => {
    expect(fitFontSize({ ...pane, availableWidth: 2000 })).toEqual({ fontSize: 14, scrolls: false });
  });

  it('should shrink the font (in half pixels) so every column fits a laptop', () => {
    const fit = fitFontSize({ ...pane, availableWidth: 1240 });
    expect(fit).toEqual({ fontSize: 10, scrolls: false });
    expect(200 * 0.6 * fit.fontSize).toBeLessThanOrEqual(1240);
  });

  it('should stop at the readable minimum on a phone and scroll sideways', () => {
    expect(fitFontSize({ ...pane, availableWidth: 355 })).toEqual({ fontSize: 9, scrolls: true });
  });

  it('should not guess before the terminal is measured', () => {
    expect(fitFontSize({ ...pane, availableWidth: 800, cellRatio: 0 })).toEqual({ fontSize: 14, scrolls: false });
  });
});
