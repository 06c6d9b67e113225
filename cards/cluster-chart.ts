import { deflateSync } from 'node:zlib';

/**
 * A small bar chart of attendance by week as a PNG data URI, for the pupil review card. One bar
 * per school week (height = share of possible sessions attended), coloured by band, with a line
 * at 90% (below it the pupil is persistently absent). Transparent background, so it reads in
 * Teams' light and dark themes. Drawn pixel by pixel: no canvas or image library needed.
 */

export interface ChartWeek {
  possible: number;
  attended: number;
}

const BAR = 14;
const GAP = 4;
const HEIGHT = 60;
const PAD = 2;

type Rgba = [number, number, number, number];
const GREEN: Rgba = [46, 125, 50, 255];
const AMBER: Rgba = [249, 168, 37, 255];
const ORANGE: Rgba = [239, 108, 0, 255];
const RED: Rgba = [198, 40, 40, 255];
const GREY: Rgba = [158, 158, 158, 255];
const LINE: Rgba = [120, 120, 120, 255];

/** Bar colour: 95%+ good, 90-95% at risk, 50-90% persistent absence, under 50% severe. */
export function barColour(rate: number): Rgba {
  if (rate >= 0.95) return GREEN;
  if (rate >= 0.9) return AMBER;
  if (rate > 0.5) return ORANGE;
  return RED;
}

export function weeklyChartPng(weeks: readonly ChartWeek[]): Buffer {
  const width = Math.max(1, weeks.length) * (BAR + GAP) + GAP;
  const height = HEIGHT + 2 * PAD;
  const pixels = Buffer.alloc(width * height * 4);
  const set = (x: number, y: number, c: Rgba) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (y * width + x) * 4;
    pixels[i] = c[0];
    pixels[i + 1] = c[1];
    pixels[i + 2] = c[2];
    pixels[i + 3] = c[3];
  };
  const baseline = PAD + HEIGHT - 1;
  weeks.forEach((week, index) => {
    const x0 = GAP + index * (BAR + GAP);
    if (week.possible === 0) {
      // No possible sessions (holiday, not yet on roll): a short grey stub.
      for (let x = x0; x < x0 + BAR; x++) set(x, baseline, GREY);
      return;
    }
    const rate = week.attended / week.possible;
    const h = Math.max(2, Math.round(rate * HEIGHT));
    const colour = barColour(rate);
    for (let y = baseline; y > baseline - h; y--) for (let x = x0; x < x0 + BAR; x++) set(x, y, colour);
  });
  // The 90% line, dashed so bars under it stay visible.
  const lineY = PAD + Math.round(HEIGHT * 0.1);
  for (let x = 0; x < width; x++) if (x % 6 < 3) set(x, lineY, LINE);
  return encodePng(width, height, pixels);
}

export function weeklyChartDataUri(weeks: readonly ChartWeek[]): string {
  return `data:image/png;base64,${weeklyChartPng(weeks).toString('base64')}`;
}

// ---- PNG encoding (RGBA, 8 bits per channel, no interlace) ----

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buffers: readonly Buffer[]): number {
  let c = 0xffffffff;
  for (const b of buffers) for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const name = Buffer.from(type, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32([name, data]));
  return Buffer.concat([length, name, data, crc]);
}

function encodePng(width: number, height: number, rgba: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  header[10] = 0;
  header[11] = 0;
  header[12] = 0;
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
