import type { Daytona } from '@daytonaio/sdk';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingDesktopPackages } from '../../main/local/toolbox/computer-use/desktop.ts';
import { startTestApp, waitUntil, type TestApp } from '../helpers/app-harness.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { skipWhen } from '../helpers/skip.ts';

const missing = missingDesktopPackages();
const skip = missing.length > 0 ? `the desktop packages are not installed (${missing.join(', ')})` : undefined;

/** What an independent decoder reads from the picture. */
async function decode(base64: string | undefined) {
  const meta = await sharp(Buffer.from(base64 ?? '', 'base64')).metadata();
  return { format: meta.format, width: meta.width, height: meta.height };
}

/**
 * The window's desktop pictures (captureDesktop), through the contract's handler as the window calls it, in the
 * app as buildApp builds it, on the supervised local provider with a real desktop (Xvfb) in a sandbox.
 */
describe('captureDesktop: the window asks for pictures of a sandbox desktop', skipWhen(skip, 'desktop'), () => {
  let test: TestApp;
  let daytona: Daytona;
  let withDesktop = '';
  let without = '';
  let cloud: TestProvider | undefined;

  beforeAll(async () => {
    test = await startTestApp({ minuteMs: 60_000 });
    await test.call('useLocalProvider');
    await waitUntil(() => test.state().watcher.state === 'running' && test.supervisor.localEndpoint() !== undefined, 'the local watcher');
    daytona = test.localDaytona();
    const [a, b] = await Promise.all([daytona.create({ name: 'frames-desk' }), daytona.create({ name: 'frames-plain' })]);
    await a.computerUse.start();
    withDesktop = a.id;
    without = b.id;
  });
  afterAll(async () => {
    await daytona?.[Symbol.asyncDispose]();
    await test?.cleanup();
    await cloud?.stop();
  });

  it('a thumbnail is a small JPEG of the running desktop (1024x768 scaled to 240 wide)', async () => {
    const result = await test.call('captureDesktop', { id: withDesktop, size: 'thumbnail' });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const frame = result.ok ? result.value : undefined;
    expect(frame).toMatchObject({ running: true, width: 240, height: 180 });
    expect(await decode(frame?.jpegBase64)).toEqual({ format: 'jpeg', width: 240, height: 180 });
    // A few kilobytes, not a full screenshot.
    expect(Buffer.from(frame!.jpegBase64!, 'base64').length).toBeLessThan(30_000);
  });

  it('the larger view is a JPEG at the display size (under its 1280 px cap)', async () => {
    const result = await test.call('captureDesktop', { id: withDesktop, size: 'large' });
    const frame = result.ok ? result.value : undefined;
    expect(frame).toMatchObject({ running: true, width: 1024, height: 768 });
    expect(await decode(frame?.jpegBase64)).toEqual({ format: 'jpeg', width: 1024, height: 768 });
  });

  it('a sandbox without a desktop, and one whose desktop stopped, answer running: false (no picture)', async () => {
    const idleSince = (await daytona.get(without)).lastActivityAt;
    expect(await test.call('captureDesktop', { id: without, size: 'thumbnail' })).toEqual({ ok: true, value: { running: false } });
    // Asking is not activity: the window looking at its sandboxes does not keep them from auto-stopping.
    expect((await daytona.get(without)).lastActivityAt).toBe(idleSince);
    await (await daytona.get(withDesktop)).computerUse.stop();
    expect(await test.call('captureDesktop', { id: withDesktop, size: 'thumbnail' })).toEqual({ ok: true, value: { running: false } });
  });

  it('on a cloud profile the same call goes to that API (a second local provider plays Daytona Cloud)', async () => {
    cloud = await startTestProvider();
    const remote = await cloud.daytona.create({ name: 'cloud-desk', envVars: { VNC_RESOLUTION: '1280x800' } });
    await remote.computerUse.start();
    const saved = await test.call('saveApiKey', { apiKey: cloud.provider.apiKey, apiUrl: cloud.provider.apiUrl });
    expect(saved.ok, JSON.stringify(saved)).toBe(true);
    await expect.poll(() => test.state().sandboxes.map((view) => view.id), { timeout: 30_000 }).toContain(remote.id);
    const result = await test.call('captureDesktop', { id: remote.id, size: 'thumbnail' });
    const frame = result.ok ? result.value : undefined;
    expect(frame).toMatchObject({ running: true, width: 240, height: 150 });
    expect(await decode(frame?.jpegBase64)).toEqual({ format: 'jpeg', width: 240, height: 150 });
    // The local provider's sandbox is not known to this profile's API.
    const unknown = await test.call('captureDesktop', { id: without, size: 'thumbnail' });
    expect(unknown).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not found/) } });
  });

  it('a request that does not parse is refused before anything is asked', async () => {
    const bad = await test.call('captureDesktop', { id: withDesktop, size: 'huge' as 'large' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });
});
