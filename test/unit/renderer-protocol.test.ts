import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENDERER_URL, rendererFileFor, serveRendererRequest } from '../../main/app/renderer-protocol.ts';
import { WINDOW_CSP } from '../../preload/window-csp.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('the renderer scheme', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let renderer: string;
  beforeAll(async () => {
    dir = await tempDir();
    renderer = join(dir.path, 'out', 'renderer');
    await mkdir(join(renderer, 'assets'), { recursive: true });
    await writeFile(join(renderer, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(renderer, 'assets', 'index-abc.js'), 'export {};');
    await writeFile(join(dir.path, 'out', 'secret.txt'), 'not for the window');
  });
  afterAll(() => dir.cleanup());

  it('maps the window URL and its assets into the renderer folder', () => {
    expect(RENDERER_URL).toBe('daytona-tray://renderer/index.html');
    expect(rendererFileFor(RENDERER_URL, renderer)).toBe(join(renderer, 'index.html'));
    expect(rendererFileFor('daytona-tray://renderer/', renderer)).toBe(join(renderer, 'index.html'));
    expect(rendererFileFor('daytona-tray://renderer/assets/index-abc.js?v=1#x', renderer)).toBe(join(renderer, 'assets', 'index-abc.js'));
  });

  it('refuses anything outside the folder or on another host or scheme', () => {
    // `..` and `%2e%2e` never get out: URL parsing already drops them, so these name renderer/secret.txt (absent).
    expect(rendererFileFor('daytona-tray://renderer/../secret.txt', renderer)).toBe(join(renderer, 'secret.txt'));
    expect(rendererFileFor('daytona-tray://renderer/%2e%2e/secret.txt', renderer)).toBe(join(renderer, 'secret.txt'));
    for (const url of [
      'daytona-tray://renderer/assets/..%2f..%2fsecret.txt',
      'daytona-tray://renderer/assets%5c..%5c..%5csecret.txt',
      'daytona-tray://renderer/index.html%00.js',
      'daytona-tray://other/index.html',
      'file:///etc/passwd',
      'https://renderer/index.html',
      'daytona-tray://renderer/%E0%A4%A',
      'not a url',
    ]) {
      expect(rendererFileFor(url, renderer), url).toBeUndefined();
    }
  });

  it('serves files with a content type from the extension (module scripts need JavaScript), 404 otherwise', async () => {
    const page = await serveRendererRequest(RENDERER_URL, renderer);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>t</title>');
    // The window's policy comes with the page (preload/window-csp.ts): the page itself carries none.
    expect(page.headers.get('content-security-policy')).toBe(WINDOW_CSP);
    expect(WINDOW_CSP).toContain("script-src 'self'");
    expect(WINDOW_CSP).toContain("connect-src 'none'");
    const script = await serveRendererRequest('daytona-tray://renderer/assets/index-abc.js', renderer);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await serveRendererRequest('daytona-tray://renderer/missing.js', renderer)).status).toBe(404);
    expect((await serveRendererRequest('daytona-tray://renderer/assets', renderer)).status).toBe(404);
    const escape = await serveRendererRequest('daytona-tray://renderer/%2e%2e/secret.txt', renderer);
    expect(escape.status).toBe(404);
    expect(await escape.text()).not.toContain('not for the window');
  });
});
