import { encodeRgbaPng } from './png';

/**
 * The attendance-by-week bar chart of the pupil review card, as a PNG data URI. One bar per school
 * week (height = share of possible sessions attended), coloured by band; a dashed line at 90% (below
 * it the pupil is persistently absent) labelled "90%"; week labels (d/m of the Monday) under the
 * bars, as many as fit without overlapping, always including the latest week. Transparent
 * background and mid-grey text, so it reads in Teams' light and dark themes.
 *
 * Sized for Teams: 440 px wide, the content width of a desktop card (about 450-500 px), so it shows
 * unscaled there; on a phone (about 320 px) Teams scales it down and the 10 px digits stay about
 * 7 px tall. Text is drawn with a 3x5 pixel font at double size: no canvas or font library needed.
 */

export interface ChartWeek {
  /** Monday of the week, ISO date. */
  weekStart: string;
  possible: number;
  attended: number;
}

export const CHART_WIDTH = 440;
const LEFT = 30;
const RIGHT = 4;
const TOP = 6;
const PLOT_HEIGHT = 100;
const LABEL_GAP = 4;
export const FONT_SCALE = 2;
const GLYPH_W = 3;
const GLYPH_H = 5;
const ADVANCE = (GLYPH_W + 1) * FONT_SCALE;
export const CHART_HEIGHT = TOP + PLOT_HEIGHT + LABEL_GAP + GLYPH_H * FONT_SCALE + 2;

type Rgba = [number, number, number, number];
const GREEN: Rgba = [46, 125, 50, 255];
const AMBER: Rgba = [249, 168, 37, 255];
const ORANGE: Rgba = [239, 108, 0, 255];
const RED: Rgba = [198, 40, 40, 255];
const GREY: Rgba = [158, 158, 158, 255];
const LINE: Rgba = [120, 120, 120, 255];
export const TEXT: Rgba = [110, 110, 110, 255];

/** Bar colour: 95%+ good, 90-95% at risk, 50-90% persistent absence, under 50% severe. */
export function barColour(rate: number): Rgba {
  if (rate >= 0.95) return GREEN;
  if (rate >= 0.9) return AMBER;
  if (rate > 0.5) return ORANGE;
  return RED;
}

/** A 3x5 pixel font for the labels: digits, '/' and '%'. */
export const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  '0': ['111', '101', '101', '101', '111'],
  '1': ['010', '110', '010', '010', '111'],
  '2': ['111', '001', '111', '100', '111'],
  '3': ['111', '001', '111', '001', '111'],
  '4': ['101', '101', '111', '001', '001'],
  '5': ['111', '100', '111', '001', '111'],
  '6': ['111', '100', '111', '101', '111'],
  '7': ['111', '001', '001', '010', '010'],
  '8': ['111', '101', '111', '101', '111'],
  '9': ['111', '101', '111', '001', '111'],
  '/': ['001', '001', '010', '100', '100'],
  '%': ['101', '001', '010', '100', '101'],
};

export function textWidth(value: string): number {
  return value.length * ADVANCE - FONT_SCALE;
}

/** '2026-09-07' -> '7/9' (UK order). */
export function weekLabel(weekStart: string): string {
  return `${Number(weekStart.slice(8, 10))}/${Number(weekStart.slice(5, 7))}`;
}

export interface ChartLabel {
  text: string;
  /** Top-left corner of the text, in pixels. */
  x: number;
  y: number;
}

export interface ChartLayout {
  /** Left edge and width of each week's bar. */
  bars: { x: number; width: number }[];
  weekLabels: ChartLabel[];
  thresholdLabel: ChartLabel;
  thresholdY: number;
  baseline: number;
}

/** Where everything goes for `count` weeks (exported so tests can check what is drawn where). */
export function chartLayout(weeks: readonly Pick<ChartWeek, 'weekStart'>[]): ChartLayout {
  const n = weeks.length;
  const plotWidth = CHART_WIDTH - LEFT - RIGHT;
  const slot = plotWidth / Math.max(1, n);
  const barWidth = Math.max(2, Math.min(28, Math.floor(slot * 0.75)));
  const bars = weeks.map((_, i) => ({ x: LEFT + Math.floor(i * slot + (slot - barWidth) / 2), width: barWidth }));
  const baseline = TOP + PLOT_HEIGHT - 1;
  const labelY = TOP + PLOT_HEIGHT + LABEL_GAP;
  // Every k-th week, counted back from the latest, so labels never touch and the latest has one.
  const widest = Math.max(0, ...weeks.map((w) => textWidth(weekLabel(w.weekStart))));
  const step = Math.max(1, Math.ceil((widest + 3 * FONT_SCALE) / slot));
  const weekLabels: ChartLabel[] = [];
  for (let i = n - 1; i >= 0; i -= step) {
    const text = weekLabel(weeks[i]!.weekStart);
    const w = textWidth(text);
    const centre = bars[i]!.x + barWidth / 2;
    const x = Math.max(0, Math.min(CHART_WIDTH - w, Math.round(centre - w / 2)));
    weekLabels.unshift({ text, x, y: labelY });
  }
  const thresholdY = TOP + Math.round(PLOT_HEIGHT * 0.1);
  const thresholdText = '90%';
  const thresholdLabel = { text: thresholdText, x: LEFT - 4 - textWidth(thresholdText), y: thresholdY - Math.floor((GLYPH_H * FONT_SCALE) / 2) };
  return { bars, weekLabels, thresholdLabel, thresholdY, baseline };
}

export function weeklyChartPng(weeks: readonly ChartWeek[]): Buffer {
  const width = CHART_WIDTH;
  const height = CHART_HEIGHT;
  const pixels = Buffer.alloc(width * height * 4);
  const set = (x: number, y: number, c: Rgba) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (y * width + x) * 4;
    pixels[i] = c[0];
    pixels[i + 1] = c[1];
    pixels[i + 2] = c[2];
    pixels[i + 3] = c[3];
  };
  const drawText = (label: ChartLabel) => {
    [...label.text].forEach((ch, k) => {
      const glyph = GLYPHS[ch];
      if (!glyph) return;
      for (let gy = 0; gy < GLYPH_H; gy++)
        for (let gx = 0; gx < GLYPH_W; gx++)
          if (glyph[gy]![gx] === '1')
            for (let dy = 0; dy < FONT_SCALE; dy++) for (let dx = 0; dx < FONT_SCALE; dx++) set(label.x + k * ADVANCE + gx * FONT_SCALE + dx, label.y + gy * FONT_SCALE + dy, TEXT);
    });
  };
  const layout = chartLayout(weeks);
  weeks.forEach((week, index) => {
    const { x: x0, width: w } = layout.bars[index]!;
    if (week.possible === 0) {
      // No possible sessions (holiday, not yet on roll): a short grey stub.
      for (let x = x0; x < x0 + w; x++) set(x, layout.baseline, GREY);
      return;
    }
    const rate = week.attended / week.possible;
    const h = Math.max(2, Math.round(rate * PLOT_HEIGHT));
    const colour = barColour(rate);
    for (let y = layout.baseline; y > layout.baseline - h; y--) for (let x = x0; x < x0 + w; x++) set(x, y, colour);
  });
  // The 90% line, dashed so bars under it stay visible, across the plot only (the label sits left of it).
  for (let x = LEFT - 2; x < width - RIGHT; x++) if (x % 6 < 3) set(x, layout.thresholdY, LINE);
  drawText(layout.thresholdLabel);
  for (const label of layout.weekLabels) drawText(label);
  return encodeRgbaPng(width, height, pixels);
}

export function weeklyChartDataUri(weeks: readonly ChartWeek[]): string {
  return `data:image/png;base64,${weeklyChartPng(weeks).toString('base64')}`;
}
