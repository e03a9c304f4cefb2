import { open, readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { ApiError, badRequest } from '../../errors.ts';

/**
 * Screenshots without a capture program: Xvfb is started with `-fbdir`, so its screen is a memory-mapped
 * file in XWD format (header, colour map, then the pixels), read here straight from the sandbox's /tmp on
 * the host. Encoding is done in process with sharp (libvips). Measured on a 1024x768 desktop (Node 24):
 * PNG 19 ms, JPEG q80 14 ms, half-size JPEG 15 ms; @napi-rs/image: PNG 14 ms, JPEG 25 ms, half-size JPEG 39 ms;
 * pngjs (pure JS, PNG only, no scaling): 79 ms, jpeg-js 110 ms. sharp and @napi-rs/image weigh about the same
 * installed (~20 MB of prebuilt native code); sharp wins on the compressed and scaled screenshots a model
 * asks for most, and pngjs would need a second library for JPEG and hand-written scaling.
 */
export interface Frame {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, rows without padding. */
  rgba: Buffer;
}

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface EncodeOptions {
  format: ImageFormat;
  /** 1-100 (JPEG and WebP). */
  quality: number;
  /** 0.1-1: the picture is scaled down by this factor. */
  scale: number;
  region?: Region | undefined;
  /** Marks this point (screen coordinates) with a crosshair. */
  cursor?: { x: number; y: number } | undefined;
}

/** The size of the screen in the framebuffer file, from its XWD header only. */
export async function frameSize(file: string): Promise<{ width: number; height: number }> {
  const header = await readHeader(file);
  return { width: header.width, height: header.height };
}

interface XwdHeader {
  width: number;
  height: number;
  bitsPerPixel: number;
  bytesPerLine: number;
  byteOrder: number;
  dataOffset: number;
}

function parseHeader(buffer: Buffer): XwdHeader {
  if (buffer.length < 100) throw new ApiError(500, 'The desktop framebuffer is not readable yet: retry in a moment.');
  const word = (index: number) => buffer.readUInt32BE(index * 4);
  // XWD file header fields (X11 XWDFile.h), all 32-bit big-endian: header_size, file_version, pixmap_format,
  // pixmap_depth, pixmap_width, pixmap_height, xoffset, byte_order, bitmap_unit, bitmap_bit_order,
  // bitmap_pad, bits_per_pixel, bytes_per_line, visual_class, red/green/blue masks, bits_per_rgb,
  // colormap_entries, ncolors, ...; the colour map (12 bytes an entry) follows the header.
  const headerSize = word(0);
  const header = {
    width: word(4),
    height: word(5),
    byteOrder: word(7),
    bitsPerPixel: word(11),
    bytesPerLine: word(12),
    dataOffset: headerSize + word(19) * 12,
  };
  if (word(1) !== 7 || header.bitsPerPixel !== 32) {
    throw new ApiError(
      500,
      `The desktop framebuffer has an unexpected layout (${header.bitsPerPixel} bits a pixel): stop and start the desktop again.`,
    );
  }
  return header;
}

async function readHeader(file: string): Promise<XwdHeader> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(512);
    await handle.read(buffer, 0, buffer.length, 0);
    return parseHeader(buffer);
  } finally {
    await handle.close();
  }
}

/** Reads the whole screen as RGBA. */
export async function readFrame(file: string): Promise<Frame> {
  const buffer = await readFile(file);
  const header = parseHeader(buffer);
  const { width, height, bytesPerLine, dataOffset } = header;
  if (buffer.length < dataOffset + bytesPerLine * height)
    throw new ApiError(500, 'The desktop framebuffer is truncated: retry in a moment.');
  const rgba = Buffer.allocUnsafe(width * height * 4);
  const out = new Uint32Array(rgba.buffer, rgba.byteOffset, width * height);
  const pixels = buffer.subarray(dataOffset);
  for (let y = 0; y < height; y++) {
    const row = new Uint32Array(pixels.buffer, pixels.byteOffset + y * bytesPerLine, width);
    const base = y * width;
    // 32-bit TrueColor pixels 0x00RRGGBB in the file's byte order; out is R, G, B, A in memory (little-endian).
    if (header.byteOrder === 0) {
      for (let x = 0; x < width; x++) {
        const p = row[x]!;
        out[base + x] = 0xff000000 | ((p & 0xff) << 16) | (p & 0xff00) | ((p >>> 16) & 0xff);
      }
    } else {
      for (let x = 0; x < width; x++) {
        const p = row[x]!;
        out[base + x] = 0xff000000 | (p & 0xff0000) | ((p >>> 8) & 0xff00) | ((p >>> 24) & 0xff);
      }
    }
  }
  return { width, height, rgba };
}

/** Checks a region against the screen: inside it and not empty. */
export function checkRegion(region: Region, screen: { width: number; height: number }): Region {
  const { x, y, width, height } = region;
  if (width <= 0 || height <= 0) throw badRequest('Invalid screenshot region: width and height must be greater than zero.');
  if (x < 0 || y < 0 || x + width > screen.width || y + height > screen.height) {
    throw badRequest(
      `Invalid screenshot region ${width}x${height} at (${x}, ${y}): the screen is ${screen.width}x${screen.height}, so the region must lie within it.`,
    );
  }
  return region;
}

/** Encodes a frame (or a region of it), optionally scaled down and with the cursor marked. */
export async function encodeFrame(frame: Frame, options: EncodeOptions): Promise<Buffer> {
  if (options.cursor) drawCursor(frame, options.cursor.x, options.cursor.y);
  let image = sharp(frame.rgba, { raw: { width: frame.width, height: frame.height, channels: 4 } });
  const region = options.region ?? { x: 0, y: 0, width: frame.width, height: frame.height };
  if (options.region) image = image.extract({ left: region.x, top: region.y, width: region.width, height: region.height });
  if (options.scale < 1) image = image.resize(Math.max(1, Math.round(region.width * options.scale)));
  if (options.format === 'jpeg') return image.jpeg({ quality: options.quality }).toBuffer();
  if (options.format === 'webp') return image.webp({ quality: options.quality }).toBuffer();
  // No alpha in a screen: RGB PNGs are a quarter smaller.
  return image.removeAlpha().png({ compressionLevel: 6 }).toBuffer();
}

/** A crosshair with a red centre, as Daytona's daemon draws for showCursor. */
function drawCursor(frame: Frame, cx: number, cy: number): void {
  const set = (x: number, y: number, rgba: number) => {
    if (x < 0 || y < 0 || x >= frame.width || y >= frame.height) return;
    frame.rgba.writeUInt32LE(rgba >>> 0, (y * frame.width + x) * 4);
  };
  const WHITE = 0xffffffff;
  const BLACK = 0xff000000;
  const RED = 0xff0000ff;
  for (let d = -10; d <= 10; d++) {
    for (let w = -1; w <= 1; w++) {
      set(cx + d, cy + w, WHITE);
      set(cx + w, cy + d, WHITE);
    }
  }
  for (let d = -10; d <= 10; d++) {
    set(cx + d, cy, BLACK);
    set(cx, cy + d, BLACK);
  }
  for (let dx = -2; dx <= 2; dx++) for (let dy = -2; dy <= 2; dy++) set(cx + dx, cy + dy, RED);
}
