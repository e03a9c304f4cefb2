import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronLaunch } from '../../main/cli/electron-runtime.ts';
import { WINDOW_CSP } from '../../preload/window-csp.ts';
import { gvariantString, notifyArgs, parseActionInvoked, parseNotifyReply } from '../../main/web/dbus-notifications.ts';
import { webCsp, webIndexHtml } from '../../main/web/web-page.ts';
import { decodeWire, encodeWire } from '../../preload/web-wire.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('electronLaunch: whether the desktop app can run, and why not', () => {
  it('needs a display on Linux', () => {
    expect(electronLaunch('/nowhere', {}, 'linux')).toEqual({ ok: false, reason: 'no display: DISPLAY and WAYLAND_DISPLAY are unset' });
  });
  it('needs the binary Electron downloads at install time', async () => {
    const dir = await tempDir('electron-launch-');
    try {
      await mkdir(join(dir.path, 'node_modules', 'electron'), { recursive: true });
      await writeFile(join(dir.path, 'package.json'), '{}');
      await writeFile(join(dir.path, 'node_modules', 'electron', 'package.json'), '{"name":"electron","main":"index.js"}');
      expect(electronLaunch(dir.path, { DISPLAY: ':0' }, 'linux')).toMatchObject({
        ok: false,
        reason: expect.stringContaining("Electron's binary is not installed"),
      });
      await writeFile(join(dir.path, 'node_modules', 'electron', 'path.txt'), 'electron');
      await mkdir(join(dir.path, 'node_modules', 'electron', 'dist'));
      await writeFile(join(dir.path, 'node_modules', 'electron', 'dist', 'electron'), '');
      expect(electronLaunch(dir.path, { DISPLAY: ':0' }, 'linux')).toEqual({
        ok: true,
        command: join(dir.path, 'node_modules', 'electron', 'dist', 'electron'),
        args: [dir.path],
      });
    } finally {
      await dir.cleanup();
    }
  });
});

describe('the desktop notification service over gdbus', () => {
  it('quotes text as GVariant strings, so a title cannot break out of its argument', () => {
    expect(gvariantString("it's a \\ test\nline")).toBe("'it\\'s a \\\\ test\\nline'");
    const args = notifyArgs({ title: "Sandbox 'web' stopped", body: 'idle', buttons: ["Don't"], critical: true });
    expect(args).toContain("'Sandbox \\'web\\' stopped'");
    expect(args).toContain("{'urgency': <byte 2>}");
    // The click and each button are actions: key, then label.
    expect(args).toContain("['default', 'Open', 'button-0', 'Don\\'t']");
  });
  it('reads the id of a notification and the clicks on it', () => {
    expect(parseNotifyReply('(uint32 17,)\n')).toBe(17);
    expect(parseNotifyReply('')).toBeUndefined();
    const line = (key: string) => `/org/freedesktop/Notifications: org.freedesktop.Notifications.ActionInvoked (uint32 17, '${key}')`;
    expect(parseActionInvoked(line('default'))).toEqual({ id: 17, button: undefined });
    expect(parseActionInvoked(line('button-1'))).toEqual({ id: 17, button: 1 });
    expect(parseActionInvoked(line('something-else'))).toBeUndefined();
    expect(
      parseActionInvoked('/org/freedesktop/Notifications: org.freedesktop.Notifications.NotificationClosed (uint32 17, uint32 2)'),
    ).toBeUndefined();
  });
});

describe('the web page', () => {
  it("keeps the window's policy and allows only its own socket", () => {
    const csp = webCsp('127.0.0.1:4000');
    expect(csp).toBe(WINDOW_CSP.replace("connect-src 'none'", 'connect-src ws://127.0.0.1:4000'));
    expect(csp).toContain("script-src 'self'");
  });
  it("runs the web preload before the window's module script, and needs one", () => {
    const page = webIndexHtml('<head><script type="module" src="./a.js"></script></head><body></body>');
    expect(page.indexOf('web-preload.js')).toBeGreaterThan(0);
    expect(page.indexOf('web-preload.js')).toBeLessThan(page.indexOf('type="module"'));
    expect(() => webIndexHtml('<html></html>')).toThrow(/rebuild the renderer/);
  });
  it('carries Infinity across the socket, which plain JSON would turn into null', () => {
    const decoded = decodeWire(encodeWire({ t: 'result', id: 1, result: { ok: true, value: { hoursLeft: Infinity, n: 2 } } }));
    expect(decoded).toEqual({ t: 'result', id: 1, result: { ok: true, value: { hoursLeft: Infinity, n: 2 } } });
    expect(decodeWire('not json')).toBeUndefined();
    expect(decodeWire('[1]')).toBeUndefined();
  });
});
