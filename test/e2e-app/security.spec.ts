import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './real-app.ts';

// Refusals show up in the console (a 401 page, a failed WebSocket): expected here.
test.use({ consoleErrorsExpected: true });

// `rebind.test` resolves to this machine, as a DNS-rebinding attacker's name would.
test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--host-resolver-rules=MAP rebind.test 127.0.0.1'],
  },
});

/** Another web server on this machine (another port is another origin, but the same site for cookies). */
async function otherLocalSite(): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>another local site</title><p>hello</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('the link works once: a second browser with the same link is refused, and no link at all is refused', async ({
  page,
  browser,
  real,
}) => {
  await real.open(page);
  await expect(page.getByRole('heading', { name: 'Welcome to Daytona Tray' })).toBeVisible();
  // The token left the address bar and the history entry.
  expect(page.url()).not.toContain('token=');

  const other = await browser.newContext();
  try {
    const second = await other.newPage();
    const answer = await second.goto(real.app.url);
    expect(answer?.status()).toBe(401);
    await expect(second.getByRole('heading', { name: 'This link does not open Daytona Tray' })).toBeVisible();
    const bare = await second.goto(new URL('/', real.app.url).href);
    expect(bare?.status()).toBe(401);
    const wrong = await second.goto(`${new URL('/', real.app.url).href}?token=${'x'.repeat(43)}`);
    expect(wrong?.status()).toBe(401);
  } finally {
    await other.close();
  }
});

test('a page on another local port cannot open the socket, even in the browser that holds the cookie', async ({ page, real }) => {
  await real.open(page);
  await expect(page.getByRole('heading', { name: 'Welcome to Daytona Tray' })).toBeVisible();
  const site = await otherLocalSite();
  try {
    await page.goto(site.origin);
    const socketUrl = `ws://127.0.0.1:${new URL(real.app.url).port}/bridge`;
    const outcome = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const socket = new WebSocket(url);
          socket.onopen = () => resolve('open');
          socket.onclose = () => resolve('closed');
        }),
      socketUrl,
    );
    expect(outcome).toBe('closed');
    await expect.poll(() => real.app.cli.stderr()).toContain('refused a WebSocket: Requests from other web pages are refused');
  } finally {
    await site.close();
  }
});

test('DNS rebinding: a foreign name that resolves to 127.0.0.1 is refused, link or not', async ({ page, real }) => {
  const port = new URL(real.app.url).port;
  const link = new URL(real.app.url);
  const answer = await page.goto(`http://rebind.test:${port}/${link.search}`);
  expect(answer?.status()).toBe(403);
  await expect(page.getByText(`it answers only at 127.0.0.1:${port} or localhost:${port}`)).toBeVisible();
  // The refusal did not use up the link: the real address still opens the app.
  await real.open(page);
  await expect(page.getByRole('heading', { name: 'Welcome to Daytona Tray' })).toBeVisible();
});

test('a page on another local port cannot read or drive the app over HTTP, even with the cookie its browser holds', async ({
  page,
  real,
}) => {
  await real.open(page);
  await expect(page.getByRole('heading', { name: 'Welcome to Daytona Tray' })).toBeVisible();
  const site = await otherLocalSite();
  try {
    await page.goto(site.origin);
    const appOrigin = new URL(real.app.url).origin;
    // Another port is the same site, so SameSite=Strict still sends the cookie: the Origin check is what refuses it.
    const outcome = await page.evaluate(async (origin) => {
      try {
        const answer = await fetch(`${origin}/`, { credentials: 'include' });
        return `read ${answer.status}`;
      } catch {
        return 'blocked';
      }
    }, appOrigin);
    expect(outcome).toBe('blocked');
    await expect.poll(() => real.app.cli.stderr()).toContain('refused GET /: Requests from other web pages are refused');
  } finally {
    await site.close();
  }
});

test("a browser without the session cookie gets no socket, even from a page at the app's own address", async ({ page, browser, real }) => {
  await real.open(page);
  // Past the refusal page's own CSP (no connections at all), to reach the server's check.
  const other = await browser.newContext({ bypassCSP: true });
  try {
    const stranger = await other.newPage();
    // The refusal page is at the app's origin, so its socket carries our Origin: only the missing cookie refuses it.
    expect((await stranger.goto(new URL('/', real.app.url).href))?.status()).toBe(401);
    const outcome = await stranger.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const socket = new WebSocket(`ws://${location.host}/bridge`);
          socket.onopen = () => resolve('open');
          socket.onclose = () => resolve('closed');
        }),
    );
    expect(outcome).toBe('closed');
    await expect.poll(() => real.app.cli.stderr()).toContain('refused a WebSocket: no session cookie');
  } finally {
    await other.close();
  }
});
