#!/usr/bin/env node
// Draws the tray icons (idle / active / error) and the app icon as PNG files, deterministically, with no
// dependency: shapes are signed-distance functions, anti-aliased by supersampling, written with zlib.
// Run `node resources/tray/generate-icons.mjs [outDir]` after changing a shape; the PNGs are committed.
//   - macOS: *Template.png / *Template@2x.png, black + alpha (macOS tints template images for the menu bar).
//   - Windows and Linux: *.png / *@2x.png (16 and 32 px) in a grey that reads on light and dark panels,
//     green when sandboxes run, a red badge on error.
//   - Windows: tray-<state>.ico with 16, 24, 32, 48 and 256 px images (the sizes Windows picks from for the
//     notification area at 100–200 % scaling and for Explorer), as Electron's Tray takes ICO files there.
//   - ../icon.png: 1024 px app icon (installers, window, notifications); ../icon.ico the same for Windows.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync, inflateSync } from 'node:zlib';

// Per pixel and axis; a large icon needs fewer to look smooth (and would take seconds with 8).
const samplesFor = (size) => (size >= 256 ? 2 : 8);

// ── shapes in unit space [0,1]² (y down); each returns a signed distance, negative inside ────────────────
const roundedBox = (cx, cy, half, radius) => (x, y) => {
  const qx = Math.abs(x - cx) - (half - radius);
  const qy = Math.abs(y - cy) - (half - radius);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
};
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;
const ring = (shape, width) => (x, y) => Math.abs(shape(x, y)) - width / 2;

const box = ring(roundedBox(0.5, 0.5, 0.38, 0.12), 0.11);
const core = roundedBox(0.5, 0.5, 0.17, 0.04);
const badge = circle(0.8, 0.8, 0.19);
const badgeClearance = circle(0.8, 0.8, 0.29);

/** Layers for one state: [shape, rgba] painted in order; `clear` shapes erase what is under them first. */
function layers(state, palette) {
  const list = [];
  const boxShape = state === 'error' ? (x, y) => Math.max(box(x, y), -badgeClearance(x, y)) : box;
  list.push([boxShape, palette.stroke]);
  if (state === 'active') list.push([core, palette.active]);
  if (state === 'error') list.push([badge, palette.error]);
  return list;
}

const TEMPLATE = { stroke: [0, 0, 0, 255], active: [0, 0, 0, 255], error: [0, 0, 0, 255] };
const COLOR = { stroke: [139, 148, 158, 255], active: [46, 164, 79, 255], error: [218, 54, 51, 255] };

function render(size, paint) {
  const SAMPLES = samplesFor(size);
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (const [shape, [cr, cg, cb, ca]] of paint) {
        let covered = 0;
        for (let sy = 0; sy < SAMPLES; sy++) {
          for (let sx = 0; sx < SAMPLES; sx++) {
            if (shape((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size) <= 0) covered++;
          }
        }
        const alpha = (covered / (SAMPLES * SAMPLES)) * (ca / 255);
        // Source-over compositing, straight alpha.
        const outA = alpha + a * (1 - alpha);
        if (outA > 0) {
          r = (cr * alpha + r * a * (1 - alpha)) / outA;
          g = (cg * alpha + g * a * (1 - alpha)) / outA;
          b = (cb * alpha + b * a * (1 - alpha)) / outA;
        }
        a = outA;
      }
      const at = (py * size + px) * 4;
      pixels[at] = Math.round(r);
      pixels[at + 1] = Math.round(g);
      pixels[at + 2] = Math.round(b);
      pixels[at + 3] = Math.round(a * 255);
    }
  }
  return encodePng(size, size, pixels);
}

function encodePng(width, height, rgba) {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Straight RGBA pixels of a PNG this file wrote (8-bit RGBA, filter 0). */
function pixelsOf(png) {
  const width = png.readUInt32BE(16);
  const data = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') data.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const rows = raw.length / (width * 4 + 1);
  const pixels = Buffer.alloc(width * rows * 4);
  for (let y = 0; y < rows; y++) raw.copy(pixels, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  return pixels;
}

/**
 * An ICO file (https://learn.microsoft.com/en-us/previous-versions/ms997538(v=msdn.10)): a directory of
 * images, 32-bit BGRA bitmaps up to 48 px (what every Windows API reads) and PNG for 256 px (Vista and later).
 */
export const ICO_SIZES = [16, 24, 32, 48, 256];
function encodeIco(pngs) {
  const images = pngs.map(({ size, png }) => {
    if (size >= 256) return png;
    const rgba = pixelsOf(png);
    const header = Buffer.alloc(40);
    header.writeUInt32LE(40, 0); // BITMAPINFOHEADER
    header.writeInt32LE(size, 4);
    header.writeInt32LE(size * 2, 8); // the colour image and the AND mask, stacked
    header.writeUInt16LE(1, 12); // planes
    header.writeUInt16LE(32, 14); // bits per pixel
    const xor = Buffer.alloc(size * size * 4);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const from = (y * size + x) * 4;
        const to = ((size - 1 - y) * size + x) * 4; // bottom-up rows
        xor[to] = rgba[from + 2];
        xor[to + 1] = rgba[from + 1];
        xor[to + 2] = rgba[from];
        xor[to + 3] = rgba[from + 3];
      }
    }
    const maskRow = Math.ceil(size / 32) * 4;
    return Buffer.concat([header, xor, Buffer.alloc(maskRow * size)]); // an all-zero mask: the alpha decides
  });
  const head = Buffer.alloc(6 + 16 * images.length);
  head.writeUInt16LE(0, 0);
  head.writeUInt16LE(1, 2); // type: icon
  head.writeUInt16LE(images.length, 4);
  let offset = head.length;
  images.forEach((image, index) => {
    const size = pngs[index].size;
    const at = 6 + 16 * index;
    head[at] = size >= 256 ? 0 : size; // 0 means 256
    head[at + 1] = size >= 256 ? 0 : size;
    head.writeUInt16LE(1, at + 4); // planes
    head.writeUInt16LE(32, at + 6); // bits per pixel
    head.writeUInt32LE(image.length, at + 8);
    head.writeUInt32LE(offset, at + 12);
    offset += image.length;
  });
  return Buffer.concat([head, ...images]);
}

/** Every icon file: name relative to resources/tray/ -> PNG or ICO bytes. */
export function renderIcons() {
  const files = new Map();
  for (const state of ['idle', 'active', 'error']) {
    files.set(`tray-${state}Template.png`, render(16, layers(state, TEMPLATE)));
    files.set(`tray-${state}Template@2x.png`, render(32, layers(state, TEMPLATE)));
    files.set(`tray-${state}.png`, render(16, layers(state, COLOR)));
    files.set(`tray-${state}@2x.png`, render(32, layers(state, COLOR)));
    files.set(`tray-${state}.ico`, encodeIco(ICO_SIZES.map((size) => ({ size, png: render(size, layers(state, COLOR)) }))));
  }
  // The app icon: the active glyph on a dark rounded tile.
  const tile = roundedBox(0.5, 0.5, 0.46, 0.1);
  const inset = (shape) => (x, y) => shape((x - 0.5) / 0.7 + 0.5, (y - 0.5) / 0.7 + 0.5) * 0.7;
  const appIcon = [[tile, [22, 27, 34, 255]], [inset(box), [230, 237, 243, 255]], [inset(core), COLOR.active]];
  files.set('../icon.png', render(1024, appIcon));
  files.set('../icon.ico', encodeIco(ICO_SIZES.map((size) => ({ size, png: render(size, appIcon) }))));
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outDir = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
  for (const [name, png] of renderIcons()) {
    const file = join(outDir, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, png);
  }
}
