import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { registerBridgeHandlers, type BridgeHandlers } from '../../main/app/ipc-registry.ts';
import { createSocketBridge, type SocketBridge } from '../../main/web/socket-bridge.ts';
import { startWebServer, type WebServer } from '../../main/web/web-server.ts';
import { EVENT_CHANNELS, METHOD_CHANNELS, METHOD_NAMES, type AppState } from '../../preload/contract.ts';
import { decodeWire, encodeWire } from '../../preload/web-wire.ts';
import { appStateFixture } from '../helpers/app-state-fixture.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const CONTROL = 'c'.repeat(43);

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** A raw HTTP request with full control of Host and every other header (fetch would fix Host itself). */
function raw(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers }, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.once('error', reject);
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Opens the page's socket as a browser would (Origin always sent); resolves open, or the refusal's status. */
function openSocket(port: number, headers: Record<string, string>): Promise<{ socket?: WebSocket; status?: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/bridge`, { headers });
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

/** Sends one invoke and waits for its result. */
function invoke(socket: WebSocket, channel: string, payload?: unknown): Promise<unknown> {
  const id = Math.floor(Math.random() * 1e9);
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = decodeWire(data.toString());
      if (message?.t === 'result' && message.id === id) {
        socket.off('message', onMessage);
        resolve(message.result);
      }
    };
    socket.on('message', onMessage);
    socket.send(encodeWire({ t: 'invoke', id, channel, ...(payload === undefined ? {} : { payload }) }));
  });
}

function nextMessage(socket: WebSocket, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = decodeWire(data.toString());
      if (message?.t === type) {
        socket.off('message', onMessage);
        resolve(message);
      }
    };
    socket.on('message', onMessage);
  });
}

describe('the web shell server: the renderer and the contract on 127.0.0.1, guarded', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: WebServer;
  let bridge: SocketBridge;
  const calls: { method: string; request: unknown }[] = [];
  const logs: string[] = [];
  const state: AppState = appStateFixture();
  // Nothing burns: the balance says "Infinity hours left", which JSON alone would turn into null.
  state.billing = {
    ...state.billing,
    balance: {
      state: 'ok',
      cents: 500,
      usd: 5,
      spentThisPeriodUsd: undefined,
      hoursLeft: Infinity,
      billingType: undefined,
      updatedAt: new Date(0).toISOString(),
    },
  };

  beforeAll(async () => {
    dir = await tempDir('web-server-');
    const rendererDir = join(dir.path, 'renderer');
    await mkdir(join(rendererDir, 'assets'), { recursive: true });
    // The real window page (its module script), and a stand-in bundle.
    await writeFile(join(rendererDir, 'index.html'), await readFile(join(REPO_ROOT, 'renderer', 'index.html'), 'utf8'));
    await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log("renderer")');
    await writeFile(join(dir.path, 'secret.txt'), 'outside the renderer');
    const webPreloadFile = join(dir.path, 'web-preload.js');
    await writeFile(webPreloadFile, '/* web preload */');

    bridge = createSocketBridge({ log: (line) => logs.push(line) });
    const handlers = Object.fromEntries(
      METHOD_NAMES.map((method) => [
        method,
        async (request: unknown) => {
          calls.push({ method, request });
          return method === 'getState' ? { ok: true, value: state } : { ok: true, value: undefined };
        },
      ]),
    ) as unknown as BridgeHandlers;
    registerBridgeHandlers(bridge.port, handlers, { isTrusted: bridge.isTrusted, log: (line) => logs.push(line) });
    server = await startWebServer({ rendererDir, webPreloadFile, bridge, control: CONTROL, log: (line) => logs.push(line) });
  });
  afterAll(async () => {
    await server?.close();
    await dir?.cleanup();
  });

  async function admittedCookie(): Promise<string> {
    const link = new URL(server.link());
    const answer = await raw(server.port, `${link.pathname}${link.search}`);
    expect(answer.status).toBe(303);
    const cookie = String(answer.headers['set-cookie']);
    return cookie.split(';')[0]!;
  }

  it('exchanges a one-time token for an HttpOnly, SameSite=Strict cookie and drops the token from the address', async () => {
    const link = new URL(server.link());
    expect(link.origin).toBe(`http://127.0.0.1:${server.port}`);
    expect(link.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
    const first = await raw(server.port, `/${link.search}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(link.searchParams.get('token')!);

    // The same link again, from a browser without the cookie: refused.
    const again = await raw(server.port, `/${link.search}`);
    expect(again.status).toBe(401);
    expect(again.body).toContain('already used');
    // With the cookie, the page loads.
    const page = await raw(server.port, '/', { cookie: setCookie.split(';')[0]! });
    expect(page.status).toBe(200);
  });

  it('refuses every request without the session: no cookie, a wrong token, a made-up cookie', async () => {
    expect((await raw(server.port, '/')).status).toBe(401);
    expect((await raw(server.port, '/assets/app.js')).status).toBe(401);
    expect((await raw(server.port, '/web-preload.js')).status).toBe(401);
    expect((await raw(server.port, `/?token=${'A'.repeat(43)}`)).status).toBe(401);
    expect((await raw(server.port, '/', { cookie: `daytona_tray_${server.port}=${'A'.repeat(43)}` })).status).toBe(401);
  });

  it('serves the renderer with the web preload first and the window CSP, allowing only its own socket', async () => {
    const cookie = await admittedCookie();
    const page = await raw(server.port, '/', { cookie });
    expect(page.status).toBe(200);
    const preloadAt = page.body.indexOf('<script src="./web-preload.js"></script>');
    expect(preloadAt).toBeGreaterThan(0);
    expect(preloadAt).toBeLessThan(page.body.indexOf('<script type="module"'));
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src ws://127.0.0.1:${server.port}`);
    expect(csp).not.toContain("connect-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    // Only in the header: a CSP meta tag in the page would hold back Chromium's preload scanner.
    expect(page.body).not.toMatch(/<meta[^>]+http-equiv="Content-Security-Policy"/i);
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const asset = await raw(server.port, '/assets/app.js', { cookie });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect((await raw(server.port, '/web-preload.js', { cookie })).body).toBe('/* web preload */');
  });

  it('refuses a foreign Host (DNS rebinding), a foreign Origin, other methods, and paths out of the renderer', async () => {
    const cookie = await admittedCookie();
    expect((await raw(server.port, '/', { cookie, host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await raw(server.port, '/', { cookie, host: `127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect((await raw(server.port, '/', { cookie, origin: 'http://evil.example' })).status).toBe(403);
    // Another port on this machine is another site: its pages may not drive this one.
    expect((await raw(server.port, '/', { cookie, origin: `http://127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect((await raw(server.port, '/', { cookie, origin: `http://localhost:${server.port}` })).status).toBe(200);
    expect((await raw(server.port, '/', { cookie }, 'POST')).status).toBe(405);
    expect((await raw(server.port, '/', { cookie, origin: 'http://evil.example' }, 'OPTIONS')).status).toBe(403);
    expect((await raw(server.port, '/..%2fsecret.txt', { cookie })).status).toBe(404);
    expect((await raw(server.port, '/../secret.txt', { cookie })).status).toBe(404);
    // A refused Host does not get to write itself into the answer's policy.
    const refused = await raw(server.port, '/', { cookie, host: `evil.example:${server.port}` });
    expect(String(refused.headers['content-security-policy'])).not.toContain('evil');
  });

  it('gives a second `app --web` a fresh link with the control token only: not without it, not with a wrong one, not to a page', async () => {
    const answer = await raw(server.port, '/control/link', { authorization: `Bearer ${CONTROL}` }, 'POST');
    expect(answer.status).toBe(200);
    const { url } = JSON.parse(answer.body) as { url: string };
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{43}$`));
    // That link admits a browser once.
    expect((await raw(server.port, new URL(url).pathname + new URL(url).search)).status).toBe(303);
    expect((await raw(server.port, '/control/link', {}, 'POST')).status).toBe(403);
    expect((await raw(server.port, '/control/link', { authorization: `Bearer ${'x'.repeat(43)}` }, 'POST')).status).toBe(403);
    expect((await raw(server.port, '/control/link', { authorization: `Bearer ${CONTROL}` }, 'GET')).status).toBe(403);
    const origin = `http://127.0.0.1:${server.port}`;
    expect((await raw(server.port, '/control/link', { authorization: `Bearer ${CONTROL}`, origin }, 'POST')).status).toBe(403);
    expect(
      (await raw(server.port, '/control/link', { authorization: `Bearer ${CONTROL}`, host: `evil.example:${server.port}` }, 'POST')).status,
    ).toBe(403);
  });

  it('refuses the WebSocket without the cookie, from a foreign Origin or Host, and without an Origin', async () => {
    const cookie = await admittedCookie();
    const origin = `http://127.0.0.1:${server.port}`;
    expect((await openSocket(server.port, { origin })).status).toBe(401);
    expect((await openSocket(server.port, { cookie, origin: 'http://evil.example' })).status).toBe(403);
    expect((await openSocket(server.port, { cookie, origin: `http://127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect((await openSocket(server.port, { cookie, origin, host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await openSocket(server.port, { cookie })).status).toBe(403);
    expect(calls).toEqual([]);
  });

  it('carries the contract: requests parsed by the same schemas, Result values back, events pushed', async () => {
    const cookie = await admittedCookie();
    const { socket } = await openSocket(server.port, { cookie, origin: `http://localhost:${server.port}` });
    expect(socket).toBeDefined();
    try {
      const got = (await invoke(socket!, METHOD_CHANNELS.getState)) as { ok: true; value: AppState };
      expect(got.ok).toBe(true);
      expect(got.value.revision).toBe(state.revision);
      expect(got.value.billing.balance.state === 'ok' && got.value.billing.balance.hoursLeft).toBe(Infinity);

      expect(await invoke(socket!, METHOD_CHANNELS.stopSandbox, { id: 'sbx-1' })).toEqual({ ok: true });
      expect(calls.at(-1)).toEqual({ method: 'stopSandbox', request: { id: 'sbx-1' } });

      const before = calls.length;
      const bad = (await invoke(socket!, METHOD_CHANNELS.stopSandbox, { id: 42 })) as { ok: false; error: { code: string } };
      expect(bad.ok).toBe(false);
      expect(bad.error.code).toBe('bad-request');
      const unknown = (await invoke(socket!, 'sandbox:format-disk', {})) as { ok: false; error: { code: string } };
      expect(unknown.error.code).toBe('bad-request');
      expect(calls.length).toBe(before);

      const event = nextMessage(socket!, 'event');
      expect(bridge.broadcast(EVENT_CHANNELS.onShowView, { view: 'sandboxes', sandboxId: 'sbx-1' })).toBe(1);
      expect(await event).toEqual({ t: 'event', channel: EVENT_CHANNELS.onShowView, payload: { view: 'sandboxes', sandboxId: 'sbx-1' } });

      const clicked = new Promise<[string, number | undefined]>((resolve) =>
        bridge.onNotificationClick((id, button) => resolve([id, button])),
      );
      socket!.send(encodeWire({ t: 'notification-click', notification: 'n1', button: 0 }));
      expect(await clicked).toEqual(['n1', 0]);
    } finally {
      socket!.close();
    }
  });
});
