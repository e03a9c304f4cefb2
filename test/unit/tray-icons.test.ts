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

describe('tray icons', () => {
  let regenerated: { path: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    regenerated = await tempDir();
    execFileSync(process.execPath, [join(TRAY_DIR, 'generate-icons.mjs'), join(regenerated.path, 'tray')]);
  });
  afterAll(() => regenerated.cleanup());

  it('has a 16 px and a 32 px file for every state on every platform', () => {
    for (const platform of ['darwin', 'win32', 'linux']) {
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

  it('matches what the generator draws now (the committed PNGs are not stale)', () => {
    const committed = readdirSync(TRAY_DIR)
      .filter((name) => name.endsWith('.png'))
      .sort();
    expect(readdirSync(join(regenerated.path, 'tray')).sort()).toEqual(committed);
    for (const name of committed) {
      expect(readFileSync(join(regenerated.path, 'tray', name)).equals(readFileSync(join(TRAY_DIR, name))), name).toBe(true);
    }
    const icon = decodePng(readFileSync(join(REPO_ROOT, 'resources', 'icon.png')));
    expect(icon).toMatchObject({ width: 1024, height: 1024 });
    expect(readFileSync(join(regenerated.path, 'icon.png')).equals(readFileSync(join(REPO_ROOT, 'resources', 'icon.png')))).toBe(true);
  });
});
