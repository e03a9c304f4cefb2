import { callsOf, expect, failNext, openWindow, test } from './window-page.ts';

test.describe('server', () => {
  test('status, port, the last log lines, and restart through the contract', async ({ page }) => {
    await openWindow(page);
    await page.getByRole('tab', { name: 'Server' }).click();
    await expect(page.getByText('Running on port 49213')).toBeVisible();
    await expect(page.getByText('http://127.0.0.1:49213/mcp', { exact: true })).toBeVisible();
    await expect(page.getByLabel('Server log')).toContainText('tools/call execute_command sbx-web-7c1f');
    expect((await callsOf(page, 'readServerLog'))[0]).toEqual({ limit: 40 });
    await page.getByRole('button', { name: 'Restart server' }).click();
    await expect.poll(() => callsOf(page, 'restartServer')).toEqual([undefined]);
  });

  test('the full log: its file is named, and "Open log file" opens it through the contract', async ({ page }) => {
    await openWindow(page);
    await page.getByRole('tab', { name: 'Server' }).click();
    await expect(page.getByText('/home/ada/.config/Daytona Tray/logs/daytona-tray.log')).toBeVisible();
    await page.getByRole('button', { name: 'Open log file' }).click();
    await expect.poll(() => callsOf(page, 'openLogFile')).toEqual([undefined]);
  });

  test('where files cannot be opened (a browser page), the command that reads the log is shown instead of a button', async ({ page }) => {
    await openWindow(page);
    await page.evaluate(() => window.fakeBridge.emitState({ app: { version: '0.1.0', platform: 'linux', unavailable: ['open-files'] } }));
    await page.getByRole('tab', { name: 'Server' }).click();
    await expect(page.getByText('/home/ada/.config/Daytona Tray/logs/daytona-tray.log')).toBeVisible();
    await expect(page.getByText('daytona-tray logs --follow')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Open log file' })).toHaveCount(0);
  });

  test('a failed server shows its reason, in the tab, the header and the view', async ({ page }) => {
    await openWindow(page);
    await page.evaluate(() =>
      window.fakeBridge.emitState({
        server: {
          state: 'failed',
          since: Date.now(),
          failures: 4,
          retryAt: Date.now() + 30_000,
          reason: 'The MCP server exited with code 1: listen EADDRINUSE 127.0.0.1:49213. Pick another port in Settings.',
        },
      }),
    );
    await expect(page.getByRole('tab', { name: /Server/ })).toContainText('!');
    await expect(page.getByRole('button', { name: /MCP server failed/ })).toHaveText('MCP failed');
    // The header pill opens the server view.
    await page.getByRole('button', { name: /MCP server failed/ }).click();
    await expect(page.getByRole('tab', { name: /Server/ })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByText('Failed', { exact: true })).toBeVisible();
    await expect(page.getByText(/EADDRINUSE/)).toBeVisible();
    await expect(page.getByText(/Next try in (29|30) s/)).toBeVisible();
  });

  test('a failed restart shows the error', async ({ page }) => {
    await openWindow(page);
    await page.getByRole('tab', { name: 'Server' }).click();
    await failNext(page, 'restartServer', { message: 'The server is already restarting. Wait a moment.' });
    await page.getByRole('button', { name: 'Restart server' }).click();
    await expect(page.getByRole('alert')).toContainText('already restarting');
  });
});

test.describe('settings', () => {
  test.beforeEach(async ({ page }) => {
    await openWindow(page);
    await page.getByRole('tab', { name: 'Settings' }).click();
  });

  test('tool groups, notifications and start at login are switches that update settings', async ({ page }) => {
    const git = page.getByRole('switch', { name: /Git/ });
    await expect(git).toBeChecked();
    await git.click();
    await expect(git).not.toBeChecked();
    await page.getByRole('switch', { name: 'A sandbox auto-stopped' }).click();
    await page.getByRole('switch', { name: 'Start at login' }).focus();
    await page.keyboard.press('Space');
    await expect(page.getByRole('switch', { name: 'Start at login' })).toBeChecked();
    expect(await callsOf(page, 'updateSettings')).toEqual([
      { toolGroups: { git: false } },
      { notifications: { autoStop: false } },
      { startAtLogin: true },
    ]);
  });

  test('low-balance threshold (in dollars), MCP port, the shared server’s grace period and the warm pool', async ({ page }) => {
    const threshold = page.getByLabel('Low balance below ($)');
    await expect(threshold).toHaveValue('5');
    await threshold.fill('12.5');
    await threshold.press('Enter');
    const port = page.getByLabel(/MCP server port/);
    await port.fill('7777');
    await port.press('Enter');
    const grace = page.getByLabel(/shared server stops after \(minutes\)/);
    await expect(grace).toHaveValue('10');
    await grace.fill('45');
    await grace.press('Enter');
    const pool = page.getByLabel(/Warm sandboxes kept ready/);
    await expect(pool).toHaveValue('2');
    await pool.fill('11'); // over the limit: not sent
    await pool.press('Enter');
    await pool.fill('0');
    await pool.press('Enter');
    await expect
      .poll(() => callsOf(page, 'updateSettings'))
      .toEqual([{ lowBalanceThresholdCents: 1250 }, { mcpPort: 7777 }, { sharedGraceMinutes: 45 }, { warmPoolSize: 0 }]);
    await expect(threshold).toHaveValue('12.5');
    await expect(grace).toHaveValue('45');
    await expect(pool).toHaveValue('0');
  });

  test('a refused setting shows why', async ({ page }) => {
    await failNext(page, 'updateSettings', { code: 'failed', message: 'Could not start at login: the autostart folder is read-only.' });
    await page.getByRole('switch', { name: 'Start at login' }).click();
    await expect(page.getByRole('alert')).toContainText('autostart folder is read-only');
  });

  test('replace the key: masked input, checked through the contract, only the new suffix shown', async ({ page }) => {
    await page.getByRole('button', { name: 'Replace key' }).click();
    const field = page.getByLabel('API key', { exact: true });
    await expect(field).toHaveAttribute('type', 'password');
    await field.fill('dtn_replacement_key_ZZ42');
    await page.getByRole('button', { name: 'Check and replace' }).click();
    await expect(page.getByLabel('API key ending in ZZ42')).toBeVisible();
    expect(await callsOf(page, 'saveApiKey')).toEqual([{ apiKey: 'dtn_replacement_key_ZZ42' }]);
    expect(await page.content()).not.toContain('dtn_replacement_key_ZZ42');
  });

  test('remove the key after confirming', async ({ page }) => {
    await page.getByRole('button', { name: 'Remove key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove the API key?' });
    await dialog.getByRole('button', { name: 'Remove key' }).click();
    await expect(page.getByText('not set')).toBeVisible();
    await expect(page.getByText(/No API key is stored/)).toBeVisible();
    expect(await callsOf(page, 'removeApiKey')).toEqual([{}]);
  });

  test('profile, API URL and target', async ({ page }) => {
    await page.getByLabel('Target region').fill('eu');
    await page.getByRole('button', { name: 'Save endpoint' }).click();
    await expect.poll(() => callsOf(page, 'updateProfile')).toEqual([{ target: 'eu' }]);
    await page.getByLabel('Profile').selectOption('local');
    await expect.poll(() => callsOf(page, 'switchProfile')).toEqual([{ profile: 'local' }]);
    await expect(page.getByText('Local provider')).toBeVisible();
  });

  test('sign in and out from settings', async ({ page }) => {
    await page.getByRole('button', { name: 'Sign in with Daytona' }).click();
    await expect(page.getByText('Signed in as ada@example.com')).toBeVisible();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('button', { name: 'Sign in with Daytona' })).toBeVisible();
    expect(await callsOf(page, 'signOut')).toEqual([undefined]);
  });
});
