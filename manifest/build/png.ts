import { inflateSync } from 'node:zlib';

/**
 * Just enough PNG reading to check the Teams icons before packaging: the size from the header of
 * any PNG, and the pixels of the common 8-bit non-interlaced kinds (what design tools export).
 */
export class PngError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PngError';
  }
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlaced: boolean;
}

/** Reads the IHDR chunk, which the PNG spec requires to come first. */
export function readPngHeader(bytes: Buffer): PngHeader {
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(SIGNATURE)) throw new PngError('is not a PNG file');
  if (bytes.toString('ascii', 12, 16) !== 'IHDR') throw new PngError('is a damaged PNG (no IHDR header first)');
  return {
    width: bytes.readUInt32BE(16),
    height: bytes.readUInt32BE(20),
    bitDepth: bytes[24]!,
    colourType: bytes[25]!,
    interlaced: bytes[28] === 1,
  };
}

export interface DecodedPng {
  width: number;
  height: number;
  /** 4 bytes per pixel, row-major. */
  rgba: Uint8Array;
}

// Samples per pixel by PNG colour type: grey, RGB, grey+alpha, RGBA. Palette (3) is not handled.
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** True when decodePng can read the file; other PNGs are still valid, just not checked pixel by pixel. */
export function canDecodePng(header: PngHeader): boolean {
  return header.bitDepth === 8 && !header.interlaced && CHANNELS[header.colourType] !== undefined;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** Decodes an 8-bit, non-interlaced grey/RGB/grey+alpha/RGBA PNG to RGBA. */
export function decodePng(bytes: Buffer): DecodedPng {
  const header = readPngHeader(bytes);
  if (!canDecodePng(header)) {
    throw new PngError(`uses a PNG layout this check does not read (bit depth ${header.bitDepth}, colour type ${header.colourType}${header.interlaced ? ', interlaced' : ''})`);
  }
  const channels = CHANNELS[header.colourType]!;
  const idat: Buffer[] = [];
  for (let offset = 8; offset + 8 <= bytes.length; ) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('ascii', offset + 4, offset + 8);
    if (type === 'IDAT') idat.push(bytes.subarray(offset + 8, offset + 8 + length));
    if (type === 'IEND') break;
    offset += 12 + length;
  }
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch {
    throw new PngError('is a damaged PNG (image data does not decompress)');
  }
  const { width, height } = header;
  const stride = width * channels;
  if (raw.length < (stride + 1) * height) throw new PngError('is a damaged PNG (image data too short)');

  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? pixels[out + i - channels]! : 0;
      const up = y > 0 ? pixels[out - stride + i]! : 0;
      const upLeft = y > 0 && i >= channels ? pixels[out - stride + i - channels]! : 0;
      let predictor: number;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = left; break;
        case 2: predictor = up; break;
        case 3: predictor = (left + up) >> 1; break;
        case 4: predictor = paeth(left, up, upLeft); break;
        default: throw new PngError(`is a damaged PNG (unknown row filter ${filter})`);
      }
      pixels[out + i] = (line[i]! + predictor) & 0xff;
    }
  }

  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    const grey = channels <= 2;
    rgba[p * 4] = pixels[s]!;
    rgba[p * 4 + 1] = grey ? pixels[s]! : pixels[s + 1]!;
    rgba[p * 4 + 2] = grey ? pixels[s]! : pixels[s + 2]!;
    rgba[p * 4 + 3] = channels === 2 ? pixels[s + 1]! : channels === 4 ? pixels[s + 3]! : 255;
  }
  return { width, height, rgba };
}
