import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trayIconFileName } from '../../main/app/tray-menu.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const TRAY_DIR = join(REPO_ROOT, 'resources', 'tray');

/** Width, height and straight RGBA pixels of a PNG written by the generator (8-bit RGBA, filter 0). */
function decodePng(bytes: Buffer): { width: number; height: number; pixels: Buffer } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  expect([bytes[24], bytes[25]]).toEqual([8, 6]);
  const data: Buffer[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = bytes.readUInt32BE(at);
    if (bytes.toString('ascii', at + 4, at + 8) === 'IDAT') data.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) raw.copy(pixels, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  return { width, height, pixels };
}

const APP_ICO = join(REPO_ROOT, 'resources', 'icon.ico');

/**
 * The images of an ICO file (https://learn.microsoft.com/en-us/previous-versions/ms997538(v=msdn.10)), checked
 * as Windows reads them: the directory's sizes agree with each image's own header, each image lies inside the
 * file without overlapping another, a bitmap is 32-bit BGRA with its AND mask, and a PNG image is a PNG.
 */
function decodeIco(bytes: Buffer): { size: number; rgba: Buffer; opaquePixels: number }[] {
  expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2)]).toEqual([0, 1]); // reserved, type 1 = icon
  const count = bytes.readUInt16LE(4);
  let end = 6 + 16 * count;
  const images = [];
  for (let index = 0; index < count; index++) {
    const at = 6 + 16 * index;
    const size = bytes[at] === 0 ? 256 : bytes[at]!;
    expect(bytes[at + 1] === 0 ? 256 : bytes[at + 1]).toBe(size);
    expect([bytes.readUInt16LE(at + 4), bytes.readUInt16LE(at + 6)]).toEqual([1, 32]); // planes, bits per pixel
    const length = bytes.readUInt32LE(at + 8);
    const offset = bytes.readUInt32LE(at + 12);
    expect(offset).toBe(end); // in order, no gap or overlap
    end = offset + length;
    expect(end).toBeLessThanOrEqual(bytes.length);
    const image = bytes.subarray(offset, end);
    let rgba: Buffer;
    if (image.readUInt32BE(0) === 0x89504e47) {
      const png = decodePng(image);
      expect([png.width, png.height]).toEqual([size, size]);
      rgba = png.pixels;
    } else {
      expect(image.readUInt32LE(0)).toBe(40); // BITMAPINFOHEADER
      expect([image.readInt32LE(4), image.readInt32LE(8), image.readUInt16LE(14)]).toEqual([size, size * 2, 32]);
      const maskRow = Math.ceil(size / 32) * 4;
      expect(image.length).toBe(40 + size * size * 4 + maskRow * size);
      rgba = Buffer.alloc(size * size * 4);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const from = 40 + ((size - 1 - y) * size + x) * 4;
          const to = (y * size + x) * 4;
          [rgba[to], rgba[to + 1], rgba[to + 2], rgba[to + 3]] = [image[from + 2]!, image[from + 1]!, image[from]!, image[from + 3]!];
        }
      }
    }
    let opaquePixels = 0;
    for (let i = 3; i < rgba.length; i += 4) if (rgba[i]! > 0) opaquePixels++;
    images.push({ size, rgba, opaquePixels });
  }
  expect(end).toBe(bytes.length);
  return images;
}

describe('tray icons', () => {
  let regenerated: { path: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    regenerated = await tempDir();
    execFileSync(process.execPath, [join(TRAY_DIR, 'generate-icons.mjs'), join(regenerated.path, 'tray')]);
  });
  afterAll(() => regenerated.cleanup());

  it('has a 16 px and a 32 px file for every state on macOS and Linux', () => {
    for (const platform of ['darwin', 'linux']) {
      for (const state of ['idle', 'active', 'error'] as const) {
        const name = trayIconFileName(state, platform);
        expect(decodePng(readFileSync(join(TRAY_DIR, name)))).toMatchObject({ width: 16, height: 16 });
        expect(decodePng(readFileSync(join(TRAY_DIR, name.replace('.png', '@2x.png'))))).toMatchObject({ width: 32, height: 32 });
      }
    }
    expect(trayIconFileName('idle', 'darwin')).toMatch(/Template\.png$/); // macOS marks *Template images as templates
  });

  it('draws macOS template images in black and alpha only, and the three states differently', () => {
    for (const file of readdirSync(TRAY_DIR).filter((name) => name.includes('Template'))) {
      const { pixels } = decodePng(readFileSync(join(TRAY_DIR, file)));
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3]! > 0) expect([pixels[i], pixels[i + 1], pixels[i + 2]], file).toEqual([0, 0, 0]);
      }
    }
    const states = ['idle', 'active', 'error'].map((state) => readFileSync(join(TRAY_DIR, `tray-${state}@2x.png`)).toString('base64'));
    expect(new Set(states).size).toBe(3);
  });

  it('gives Windows a valid ICO for every state, and the app one, with the 16, 24, 32, 48 and 256 px images Windows picks from', () => {
    const files = [...(['idle', 'active', 'error'] as const).map((state) => join(TRAY_DIR, trayIconFileName(state, 'win32'))), APP_ICO];
    for (const file of files) {
      expect(file).toMatch(/\.ico$/);
      const images = decodeIco(readFileSync(file));
      expect(
        images.map((image) => image.size).sort((a, b) => a - b),
        file,
      ).toEqual([16, 24, 32, 48, 256]);
      for (const image of images) expect(image.opaquePixels, `${file} at ${image.size} px`).toBeGreaterThan(0);
    }
    // The same drawing as the PNGs: the 16 px image of the idle ICO is the 16 px PNG's pixels.
    const idle = decodeIco(readFileSync(join(TRAY_DIR, 'tray-idle.ico'))).find((image) => image.size === 16)!;
    expect(idle.rgba.equals(decodePng(readFileSync(join(TRAY_DIR, 'tray-idle.png'))).pixels)).toBe(true);
  });

  it('matches what the generator draws now (the committed PNGs and ICOs are not stale)', () => {
    const committed = readdirSync(TRAY_DIR)
      .filter((name) => name.endsWith('.png') || name.endsWith('.ico'))
      .sort();
    expect(readdirSync(join(regenerated.path, 'tray')).sort()).toEqual(committed);
    for (const name of committed) {
      expect(readFileSync(join(regenerated.path, 'tray', name)).equals(readFileSync(join(TRAY_DIR, name))), name).toBe(true);
    }
    const icon = decodePng(readFileSync(join(REPO_ROOT, 'resources', 'icon.png')));
    expect(icon).toMatchObject({ width: 1024, height: 1024 });
    expect(readFileSync(join(regenerated.path, 'icon.png')).equals(readFileSync(join(REPO_ROOT, 'resources', 'icon.png')))).toBe(true);
    expect(readFileSync(join(regenerated.path, 'icon.ico')).equals(readFileSync(APP_ICO))).toBe(true);
  });
});
