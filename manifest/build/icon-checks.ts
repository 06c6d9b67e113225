import { canDecodePng, decodePng, PngError, readPngHeader } from './png';

/**
 * The two icons Teams requires (learn.microsoft.com, app manifest "icons"): `color` a full-colour
 * 192x192 PNG, `outline` a 32x32 PNG that is white on a transparent background.
 */
export type IconRole = 'color' | 'outline';

export const ICON_SIZE: Record<IconRole, number> = { color: 192, outline: 32 };

export interface IconCheck {
  problems: string[];
  warnings: string[];
}

const hex = (n: number) => n.toString(16).padStart(2, '0');

export function checkIcon(role: IconRole, fileName: string, bytes: Buffer): IconCheck {
  const result: IconCheck = { problems: [], warnings: [] };
  let header;
  try {
    header = readPngHeader(bytes);
  } catch (error) {
    if (error instanceof PngError) {
      result.problems.push(`${fileName} (${role} icon) ${error.message}`);
      return result;
    }
    throw error;
  }
  const size = ICON_SIZE[role];
  if (header.width !== size || header.height !== size) {
    result.problems.push(`${fileName} (${role} icon) is ${header.width}x${header.height}; Teams needs ${size}x${size}`);
    return result;
  }
  if (role !== 'outline') return result;

  if (!canDecodePng(header)) {
    result.warnings.push(`${fileName} (outline icon): not checked for white on transparent (only 8-bit, non-palette, non-interlaced PNGs are read)`);
    return result;
  }
  const { width, rgba } = decodePng(bytes);
  let visible = 0;
  let transparent = 0;
  for (let p = 0; p < rgba.length / 4; p++) {
    const [r, g, b, a] = [rgba[p * 4]!, rgba[p * 4 + 1]!, rgba[p * 4 + 2]!, rgba[p * 4 + 3]!];
    if (a === 0) {
      transparent++;
      continue;
    }
    visible++;
    // A little slack for anti-aliasing tools that round white to #fdfdfd.
    if (r < 250 || g < 250 || b < 250) {
      result.problems.push(`${fileName} (outline icon) must be white on transparent; pixel (${p % width}, ${Math.floor(p / width)}) is #${hex(r)}${hex(g)}${hex(b)}`);
      return result;
    }
  }
  if (transparent === 0) result.problems.push(`${fileName} (outline icon) must have a transparent background; no pixel is transparent`);
  if (visible === 0) result.problems.push(`${fileName} (outline icon) is empty; every pixel is transparent`);
  return result;
}
