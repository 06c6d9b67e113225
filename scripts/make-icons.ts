/**
 * Draws the Teams app icons into manifest/: color.png (192x192, full colour) and outline.png
 * (32x32, white on transparent). Run once after changing the design and commit the PNG files:
 *
 *   npx tsx scripts/make-icons.ts
 *
 * A tiny rasteriser (supersampled shapes); the PNG is written by pngjs, as the review card's chart.
 * The design: three steps of the intervention ladder with a figure
 * (a dot) on the top step.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeRgbaPng } from '../cards/png';

type Rgba = readonly [number, number, number, number];
/** Colour of the topmost shape at a point, or null where nothing is drawn. */
type Paint = (x: number, y: number) => Rgba | null;

// Must stay equal to accentColor in manifest/manifest.template.json.
const ACCENT: Rgba = [0x1d, 0x6f, 0x7a, 255];
const AMBER: Rgba = [0xf5, 0xb9, 0x42, 255];
const WHITE: Rgba = [255, 255, 255, 255];

/** Averages SS x SS samples per pixel (premultiplied) so edges are anti-aliased. */
function rasterise(size: number, paint: Paint, ss = 8): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = paint(px + (sx + 0.5) / ss, py + (sy + 0.5) / ss);
          if (!c) continue;
          const alpha = c[3] / 255;
          r += c[0] * alpha;
          g += c[1] * alpha;
          b += c[2] * alpha;
          a += alpha;
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
      }
      out[i + 3] = Math.round((a / (ss * ss)) * 255);
    }
  }
  return out;
}

const inRect = (x: number, y: number, x0: number, y0: number, x1: number, y1: number) => x >= x0 && x < x1 && y >= y0 && y < y1;
const inCircle = (x: number, y: number, cx: number, cy: number, r: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;

function inRoundedRect(x: number, y: number, x0: number, y0: number, x1: number, y1: number, radius: number): boolean {
  if (!inRect(x, y, x0, y0, x1, y1)) return false;
  const cx = Math.min(Math.max(x, x0 + radius), x1 - radius);
  const cy = Math.min(Math.max(y, y0 + radius), y1 - radius);
  return inCircle(x, y, cx, cy, radius);
}

/** A horizontal or vertical line of the given width with square ends (so corners are filled). */
function onAxisLine(x: number, y: number, ax: number, ay: number, bx: number, by: number, width: number): boolean {
  const h = width / 2;
  return inRect(x, y, Math.min(ax, bx) - h, Math.min(ay, by) - h, Math.max(ax, bx) + h, Math.max(ay, by) + h);
}

/** 192x192: teal rounded square, white steps, amber figure on the top step. */
const colourIcon: Paint = (x, y) => {
  if (inCircle(x, y, 133, 46, 13)) return AMBER;
  if (inRect(x, y, 40, 124, 152, 152) || inRect(x, y, 77, 96, 152, 152) || inRect(x, y, 114, 68, 152, 152)) return WHITE;
  if (inRoundedRect(x, y, 0, 0, 192, 192, 40)) return ACCENT;
  return null;
};

// The same steps as one closed outline, on whole pixels so the 2 px stroke stays crisp at 32x32.
const STEPS_OUTLINE: ReadonlyArray<readonly [number, number]> = [
  [5, 27], [5, 21], [11, 21], [11, 15], [17, 15], [17, 9], [27, 9], [27, 27],
];

/** 32x32: white outline of the steps and the figure, transparent everywhere else. */
const outlineIcon: Paint = (x, y) => {
  if (inCircle(x, y, 22, 4.5, 2.5)) return WHITE;
  for (let i = 0; i < STEPS_OUTLINE.length; i++) {
    const [ax, ay] = STEPS_OUTLINE[i]!;
    const [bx, by] = STEPS_OUTLINE[(i + 1) % STEPS_OUTLINE.length]!;
    if (onAxisLine(x, y, ax, ay, bx, by, 2)) return WHITE;
  }
  return null;
};

if (require.main === module) {
  const dir = join(__dirname, '..', 'manifest');
  writeFileSync(join(dir, 'color.png'), encodeRgbaPng(192, 192, rasterise(192, colourIcon)));
  writeFileSync(join(dir, 'outline.png'), encodeRgbaPng(32, 32, rasterise(32, outlineIcon)));
  console.log(`wrote ${join(dir, 'color.png')} and ${join(dir, 'outline.png')}`);
}
