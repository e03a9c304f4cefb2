import { existsSync } from 'node:fs';
import type { Page } from '@playwright/test';
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
