#!/usr/bin/env node
// Draws the tray icons (idle / active / error) and the app icon as PNG files, deterministically, with no
// dependency: shapes are signed-distance functions, anti-aliased by supersampling, written with zlib.
// Run `node resources/tray/generate-icons.mjs [outDir]` after changing a shape; the PNGs are committed.
//   - macOS: *Template.png / *Template@2x.png, black + alpha (macOS tints template images for the menu bar).
//   - Windows and Linux: *.png / *@2x.png (16 and 32 px) in a grey that reads on light and dark panels,
//     green when sandboxes run, a red badge on error.
//   - ../icon.png: 1024 px app icon (installers, window, notifications).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

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

/** Every icon file: name relative to resources/tray/ -> PNG bytes. */
export function renderIcons() {
  const files = new Map();
  for (const state of ['idle', 'active', 'error']) {
    files.set(`tray-${state}Template.png`, render(16, layers(state, TEMPLATE)));
    files.set(`tray-${state}Template@2x.png`, render(32, layers(state, TEMPLATE)));
    files.set(`tray-${state}.png`, render(16, layers(state, COLOR)));
    files.set(`tray-${state}@2x.png`, render(32, layers(state, COLOR)));
  }
  // The app icon: the active glyph on a dark rounded tile.
  const tile = roundedBox(0.5, 0.5, 0.46, 0.1);
  const inset = (shape) => (x, y) => shape((x - 0.5) / 0.7 + 0.5, (y - 0.5) / 0.7 + 0.5) * 0.7;
  files.set('../icon.png', render(1024, [[tile, [22, 27, 34, 255]], [inset(box), [230, 237, 243, 255]], [inset(core), COLOR.active]]));
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
