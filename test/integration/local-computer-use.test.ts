import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DaytonaValidationError, type Sandbox } from '@daytonaio/sdk';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingDesktopPackages } from '../../main/local/toolbox/computer-use/desktop.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { bubblewrapSkipReason, skipWhen } from '../helpers/skip.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const missing = missingDesktopPackages();
const noDesktop = missing.length > 0 ? `the desktop packages are not installed (${missing.join(', ')})` : undefined;
const noXterm =
  spawnSync('sh', ['-c', 'command -v xterm && command -v ffprobe']).status === 0 ? undefined : 'xterm or ffmpeg is not installed';
const skip = noDesktop ?? noXterm ?? bubblewrapSkipReason();

/** The picture's format and size, read by an independent decoder. */
async function decode(base64: string) {
  const meta = await sharp(Buffer.from(base64, 'base64')).metadata();
  return { format: meta.format, width: meta.width, height: meta.height };
}

// One desktop for the whole file (starting one costs about a second): the cases run in order on it.
describe('computer use on the local provider, through the unmodified SDK', skipWhen(skip, 'desktop'), () => {
  let t: TestProvider;
  let sandbox: Sandbox;
  let other: Sandbox;
  let display = '';

  const windows = async () => (await sandbox.computerUse.display.getWindows()).windows ?? [];
  const windowTitled = async (title: string) => (await windows()).find((window) => window.title === title);
  const openXterm = async (title: string, geometry: string) => {
    // Started like an agent would: a command in the sandbox, which finds DISPLAY set to the desktop.
    await sandbox.process.executeSessionCommand('gui', {
      command: `xterm -T ${title} -fa Monospace -fs 12 -geometry ${geometry} -e sh -c 'cat' >/dev/null 2>&1 &`,
      runAsync: true,
    });
    await expect.poll(() => windowTitled(title), { timeout: 15_000 }).toBeDefined();
    return (await windowTitled(title))!;
  };

  beforeAll(async () => {
    t = await startTestProvider();
    [sandbox, other] = await Promise.all([t.daytona.create({ name: 'desk' }), t.daytona.create({ name: 'desk-other' })]);
    await sandbox.computerUse.start();
    await sandbox.process.createSession('gui');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('starts: status active, both processes running, and commands in the sandbox see DISPLAY', async () => {
    expect((await sandbox.computerUse.getStatus()).status).toBe('active');
    expect(await sandbox.computerUse.getProcessStatus('xvfb')).toMatchObject({ processName: 'xvfb', running: true });
    display = (await sandbox.process.executeCommand('echo "$DISPLAY"')).result.trim();
    expect(display).toMatch(/^:\d+$/);
    expect((await sandbox.process.executeCommand('xdpyinfo | grep dimensions')).result).toMatch(/1024x768 pixels/);
    // The other sandbox has no desktop, so no DISPLAY.
    expect((await other.process.executeCommand('echo "[$DISPLAY]"')).result).toBe('[]\n');
  });

  it('display info matches the size of a full screenshot, which is a valid PNG', async () => {
    const info = await sandbox.computerUse.display.getInfo();
    expect(info.displays).toEqual([expect.objectContaining({ width: 1024, height: 768, isActive: true })]);
    const shot = await sandbox.computerUse.screenshot.takeFullScreen();
    expect(await decode(shot.screenshot!)).toEqual({ format: 'png', width: 1024, height: 768 });
    expect(shot.sizeBytes).toBe(Buffer.from(shot.screenshot!, 'base64').length);
  });

  it('compressed and region screenshots: JPEG scaled by the factor asked, a region of the size asked', async () => {
    const half = await sandbox.computerUse.screenshot.takeCompressed({ format: 'jpeg', quality: 60, scale: 0.5 });
    expect(await decode(half.screenshot!)).toEqual({ format: 'jpeg', width: 512, height: 384 });
    // The SDK's takeRegion (0.218) sends the region's fields in reverse order (x=height, y=width, ...), so
    // regions go through takeCompressedRegion, which sends them as named, here and in the MCP tools.
    const region = await sandbox.computerUse.screenshot.takeCompressedRegion({ x: 10, y: 20, width: 200, height: 100 }, { format: 'png' });
    expect(await decode(region.screenshot!)).toEqual({ format: 'png', width: 200, height: 100 });
    const raw = await t.request(`/toolbox/${sandbox.id}/computeruse/screenshot/region?x=10&y=20&width=300&height=50`);
    expect(await decode(((await raw.json()) as { screenshot: string }).screenshot)).toEqual({ format: 'png', width: 300, height: 50 });
    const outside = await sandbox.computerUse.screenshot
      .takeCompressedRegion({ x: 1000, y: 0, width: 100, height: 100 })
      .catch((e: unknown) => e);
    expect(outside).toBeInstanceOf(DaytonaValidationError);
    expect((outside as Error).message).toMatch(/the screen is 1024x768/);
  });

  it('moves the mouse, and the position reads back', async () => {
    expect(await sandbox.computerUse.mouse.move(321, 234)).toEqual({ x: 321, y: 234 });
    expect(await sandbox.computerUse.mouse.getPosition()).toEqual({ x: 321, y: 234 });
    expect((await sandbox.computerUse.screenshot.takeFullScreen()).cursorPosition).toEqual({ x: 321, y: 234 });
  });

  it('typing into a terminal window changes the next screenshot where the window is', async () => {
    const first = await openXterm('first', '40x8+40+40');
    await sandbox.computerUse.mouse.click(first.x! + 50, first.y! + 50);
    const region = { x: first.x!, y: first.y!, width: first.width!, height: first.height! };
    const shot = async () => (await sandbox.computerUse.screenshot.takeCompressedRegion(region, { format: 'png' })).screenshot;
    const before = await shot();
    await sandbox.computerUse.keyboard.type('hello desktop');
    await expect.poll(shot, { timeout: 10_000 }).not.toBe(before);
  });

  it('a click on a window focuses it (the windows list marks it active)', async () => {
    const second = await openXterm('second', '40x8+500+300');
    await expect.poll(async () => (await windowTitled('second'))?.isActive, { timeout: 10_000 }).toBe(true);
    const first = (await windowTitled('first'))!;
    await sandbox.computerUse.mouse.click(first.x! + 30, first.y! + 30);
    await expect.poll(async () => (await windowTitled('first'))?.isActive, { timeout: 10_000 }).toBe(true);
    expect((await windowTitled('second'))?.isActive).toBe(false);
    expect(second.width).toBeGreaterThan(0);
  });

  it('records a few seconds into a playable video of non-zero length', async () => {
    const recording = await sandbox.computerUse.recording.start('demo');
    expect(recording).toMatchObject({ status: 'recording', filePath: expect.stringMatching(/^\/home\/daytona\/.+demo.+\.mp4$/) });
    await sandbox.computerUse.mouse.move(100, 100);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const stopped = await sandbox.computerUse.recording.stop(recording.id);
    expect(stopped).toMatchObject({ id: recording.id, status: 'completed' });
    expect(stopped.sizeBytes).toBeGreaterThan(0);
    expect((await sandbox.computerUse.recording.list()).recordings.map((entry) => entry.id)).toContain(recording.id);
    const dir = await tempDir('daytona-tray-recording-');
    try {
      const file = join(dir.path, 'demo.mp4');
      await sandbox.computerUse.recording.download(recording.id, file);
      const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' });
      expect(probe.status).toBe(0);
      expect(Number(probe.stdout.trim())).toBeGreaterThan(1);
    } finally {
      await dir.cleanup();
    }
    await sandbox.computerUse.recording.delete(recording.id);
    expect((await sandbox.computerUse.recording.list()).recordings).toEqual([]);
  });

  it("isolation: a process in another sandbox cannot connect to this sandbox's display", async () => {
    expect((await sandbox.process.executeCommand(`xdpyinfo -display ${display} >/dev/null && echo reachable`)).result).toBe('reachable\n');
    const attempt = await other.process.executeCommand(`xdpyinfo -display ${display} >/dev/null 2>&1 && echo reachable || echo refused`);
    expect(attempt.result).toBe('refused\n');
    const direct = await other.process.executeCommand(`ls /tmp/.X11-unix 2>/dev/null | wc -l`);
    expect(direct.result.trim()).toBe('0');
  });

  it('stop frees the display: status inactive, the display gone, new commands without DISPLAY', async () => {
    await sandbox.computerUse.stop();
    expect((await sandbox.computerUse.getStatus()).status).toBe('inactive');
    const probe = await sandbox.process.executeCommand(`xdpyinfo -display ${display} >/dev/null 2>&1 && echo reachable || echo gone`);
    expect(probe.result).toBe('gone\n');
    expect((await sandbox.process.executeCommand('echo "[$DISPLAY]"')).result).toBe('[]\n');
    const error = await sandbox.computerUse.screenshot.takeFullScreen().catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/desktop is not running.*computer_use_start/);
  });
});
