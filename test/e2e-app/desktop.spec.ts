import { existsSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { REPO_ROOT } from '../helpers/paths.ts';
import { startWebApp } from '../helpers/web-app.ts';
import { expect, test, toolText, type RealApp } from './real-app.ts';

async function tryLocally(page: Page, real: RealApp): Promise<void> {
  await real.open(page);
  await page.getByRole('button', { name: 'Try locally' }).click();
  await expect(page.getByRole('button', { name: /^MCP server running on port \d+/ })).toBeVisible();
}

const sandboxRow = (page: Page, name: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name }) });
const tab = (page: Page, name: string) => page.getByRole('tab', { name });

test.describe("the desktop's notification service on the session bus (org.freedesktop.Notifications)", () => {
  test.use({ desktopNotifications: true });
  // The app reaches the service with GLib's gdbus tool; CI installs it (libglib2.0-bin), so there a skip fails.
  test.beforeEach(() => {
    const missing = !existsSync('/usr/bin/gdbus');
    if (missing) test.info().annotations.push({ type: 'ci-provided', description: 'gdbus' });
    test.skip(missing, 'gdbus is not installed (apt-get install libglib2.0-bin)');
  });

  test('auto-stop reaches the desktop with its button; a click on it opens Sandboxes at that sandbox, its "Restart" button starts it', async ({
    page,
    real,
  }) => {
    const desktop = real.notifications!;
    await tryLocally(page, real);
    const agent = await real.agent();
    const created = await agent.callTool({ name: 'create_sandbox', arguments: { name: 'idle-box', autoStopInterval: 1 } }, undefined, {
      timeout: 60_000,
    });
    expect(created.isError, toolText(created)).toBeFalsy();
    await expect(sandboxRow(page, 'idle-box')).toBeVisible();
    await tab(page, 'Clients').click();

    await expect.poll(() => desktop.received().filter((n) => n.body.includes('idle-box')), { timeout: 60_000 }).toHaveLength(1);
    const shown = desktop.received().find((n) => n.body.includes('idle-box'))!;
    expect(shown).toMatchObject({ appName: 'Daytona Tray', summary: expect.stringMatching(/stopped/i), urgency: 1 });
    // The click on the notification, then each of the alert's actions as a button.
    expect(shown.actions).toEqual(['default', 'Open', 'button-0', 'Restart']);
    // The desktop showed it: the page does not pop up a second notification, it keeps only its own notice.
    await expect(page.getByRole('alert').filter({ hasText: 'idle-box' })).toBeVisible();

    desktop.invoke(shown.id, 'default');
    await expect(tab(page, 'Sandboxes')).toHaveAttribute('aria-selected', 'true');
    const row = sandboxRow(page, 'idle-box');
    await expect(row).toHaveAttribute('aria-current', 'true');
    await expect(row.getByText('stopped', { exact: true })).toBeVisible();

    desktop.invoke(shown.id, 'button-0');
    await expect(row.getByText('running', { exact: true })).toBeVisible();
    const listed = toolText(await agent.callTool({ name: 'list_sandboxes', arguments: {} }));
    expect(listed).toMatch(/idle-box[\s\S]*started/);
  });
});

test("a second `daytona-tray app --web` opens the running one's page instead of starting a second app", async ({ page, browser, real }) => {
  await tryLocally(page, real);
  const second = await startWebApp(real.env, REPO_ROOT);
  // It printed a new one-time link to the running app, and left.
  expect(await second.cli.exited).toEqual({ code: 0, signal: null });
  expect(second.stdoutLines()).toEqual([JSON.stringify({ url: second.url })]);
  expect(new URL(second.url).origin).toBe(new URL(real.app.url).origin);
  expect(second.url).not.toBe(real.app.url);

  // That link opens the same app in another browser: the same profile, the same server.
  const other = await browser.newContext();
  try {
    const tab2 = await other.newPage();
    await tab2.goto(second.url);
    await expect(tab2.getByText('Local provider')).toBeVisible();
    await expect(tab2.getByRole('button', { name: /^MCP server running on port \d+/ })).toBeVisible();
  } finally {
    await other.close();
  }
  // Still one app: the first one still runs.
  expect(real.app.cli.child.exitCode).toBeNull();
});

test.describe('while the app restarts', () => {
  // The page's reconnect attempts while the app is gone log failed connections: those, and only those, are expected.
  test.use({ consoleErrorsExpected: true });

  test('the page reconnects when the app restarts: it says "Reconnecting" while the app is gone, then works again', async ({
    page,
    real,
    pageErrors,
  }) => {
    await tryLocally(page, real);
    const port = new URL(real.app.url).port;
    await real.app.cli.kill('SIGTERM');
    await real.app.cli.exited;
    const notice = page.getByRole('status').filter({ hasText: 'Reconnecting to Daytona Tray' });
    await expect(notice).toBeVisible();
    // While it is gone, the window's requests say so instead of hanging.
    const answer = await page.evaluate(async () => (window as unknown as { bridge: { getState(): Promise<unknown> } }).bridge.getState());
    expect(answer).toMatchObject({ ok: false, error: { code: 'unreachable', message: expect.stringContaining('Reconnecting') } });

    await real.restart();
    // The same address (the last run's port) and the same browser session: the page comes back by itself.
    expect(new URL(real.app.url).port).toBe(port);
    await expect(notice).toHaveCount(0);
    await expect(page.getByText('Local provider')).toBeVisible();
    await expect(page.getByRole('button', { name: /^MCP server running on port \d+/ })).toBeVisible();
    await tab(page, 'Settings').click();
    await expect(page.getByTestId('no-tray-icon')).toBeVisible();
    const socketUrl = `ws://127.0.0.1:${port}/bridge`;
    expect(pageErrors.filter((error) => !error.startsWith(`WebSocket connection to '${socketUrl}' failed`))).toEqual([]);
  });
});
