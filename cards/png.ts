import { PNG } from 'pngjs';

/**
 * 8-bit RGBA pixels as a PNG, through pngjs (the chart on the review card and the app icons).
 * Filter "Up" (2): rows that repeat the row above (a chart's bars, an icon's flat shapes) become
 * zeros and deflate to almost nothing. zlib's default strategy, since pngjs defaults to run-length
 * only, which leaves the image far larger.
 */
export function encodeRgbaPng(width: number, height: number, rgba: Uint8Array): Buffer {
  const png = new PNG({ width, height });
  Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength).copy(png.data);
  return PNG.sync.write(png, { filterType: 2, deflateLevel: 9, deflateStrategy: 0, colorType: 6 });
}
