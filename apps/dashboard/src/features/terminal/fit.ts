/**
 * The terminal keeps the pane's size (Flotilla's 200×50): a viewer never resizes the agent's
 * screen. To fit a narrower window the page picks a smaller font, down to a readable minimum;
 * below it (a phone) the terminal keeps that font and scrolls sideways instead.
 */
export interface FitInput {
  /** The width available for the terminal, in CSS pixels. */
  availableWidth: number;
  cols: number;
  /** A cell's width divided by the font size, as measured (about 0.6 for monospace fonts). */
  cellRatio: number;
  minFontSize: number;
  maxFontSize: number;
}

export interface Fit {
  fontSize: number;
  /** The terminal is wider than the space at `fontSize`: it scrolls sideways. */
  scrolls: boolean;
}

/** The largest font size (in half pixels) at which `cols` cells fit, clamped to [min, max]. */
export function fitFontSize(input: FitInput): Fit {
  const { availableWidth, cols, cellRatio, minFontSize, maxFontSize } = input;
  if (!(availableWidth > 0) || !(cols > 0) || !(cellRatio > 0)) return { fontSize: maxFontSize, scrolls: false };
  const ideal = Math.floor((availableWidth / (cols * cellRatio)) * 2) / 2;
  const fontSize = Math.max(minFontSize, Math.min(maxFontSize, ideal));
  return { fontSize, scrolls: cols * cellRatio * fontSize > availableWidth + 0.5 };
}
