import { callsOf, expect, failNext, holdNext, openWindow, release, test } from './window-page.ts';

const client = (page: import('@playwright/test').Page, name: string) => page.getByRole('listitem', { name });

async function openClients(page: import('@playwright/test').Page) {
  await openWindow(page);
  await page.getByRole('tab', { name: 'Clients' }).click();
}

test.describe('clients', () => {
  test('installed clients are listed, the rest folded behind "Show N more"; each shows its state', async ({ page }) => {
    await openClients(page);
    await expect(page.getByRole('list', { name: 'Clients', exact: true }).getByRole('heading')).toHaveText([
      'Claude Desktop',
      'Claude Code',
      'Windsurf',
    ]);
    await expect(client(page, 'Claude Desktop')).toContainText('Not connected');
    await expect(client(page, 'Claude Code')).toContainText('Connected');
    await expect(client(page, 'Cursor')).toHaveCount(0);
    const more = page.getByRole('button', { name: 'Show 2 more (not installed)' });
    await expect(more).toHaveAttribute('aria-expanded', 'false');
    await more.click();
    const folded = page.getByRole('list', { name: 'Clients not installed' });
    await expect(folded.getByRole('heading')).toHaveText(['Cursor', 'VS Code']);
    await expect(client(page, 'Cursor')).toContainText('Not installed');
    await expect(client(page, 'Cursor').getByRole('button')).toHaveCount(0);
    await page.getByRole('button', { name: 'Hide the 2 not installed' }).click();
    await expect(folded).toHaveCount(0);
  });

  test('with no client installed, nothing is folded away', async ({ page }) => {
    await openClients(page);
    await page.evaluate(() => {
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({ clients: state.clients.map((c) => ({ ...c, installed: false })) });
    });
    await expect(page.getByText('None of the clients below seems to be installed here.')).toBeVisible();
    await expect(page.getByRole('list', { name: 'Clients not installed' }).getByRole('heading')).toHaveCount(5);
    await expect(page.getByRole('button', { name: /Show \d+ more/ })).toHaveCount(0);
  });

  test('tools per client: the groups it gets, chosen by checkbox; saving connects with them', async ({ page }) => {
    await openClients(page);
    const code = client(page, 'Claude Code');
    await expect(code).toContainText('Tools: All tools');
    await code.getByRole('button', { name: 'Choose tools' }).click();
    const save = code.getByRole('button', { name: 'Save tools' });
    await expect(save).toBeDisabled(); // nothing changed yet
    await code.getByRole('checkbox', { name: /Computer use/ }).uncheck();
    await save.click();
    await expect(code).toContainText('Tools: All but computer use');
    expect(await callsOf(page, 'connectClient')).toEqual([{ id: 'claude-code', tools: ['sandbox', 'files', 'process', 'git', 'preview'] }]);
    await expect(code.getByRole('checkbox')).toHaveCount(0);

    // A client with a documented cap says so; one not connected yet connects with the chosen groups.
    await page.evaluate(() => {
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({ clients: state.clients.map((c) => (c.id === 'cursor' ? { ...c, installed: true } : c)) });
    });
    const cursor = client(page, 'Cursor');
    await expect(cursor).toContainText('Tools: All but computer use · Cursor takes at most 40 tools over all its servers');
    await cursor.getByRole('button', { name: 'Choose tools' }).click();
    for (const group of ['Files', 'Commands', 'Git', 'Previews'])
      await cursor.getByRole('checkbox', { name: new RegExp(`^${group}`) }).uncheck();
    await cursor.getByRole('button', { name: 'Connect with these tools' }).click();
    await expect(cursor).toContainText('Tools: Only sandboxes');
    expect((await callsOf(page, 'connectClient')).at(-1)).toEqual({ id: 'cursor', tools: ['sandbox'] });
  });

  test('choosing no group at all cannot be saved', async ({ page }) => {
    await openClients(page);
    const code = client(page, 'Claude Code');
    await code.getByRole('button', { name: 'Choose tools' }).click();
    for (const box of await code.getByRole('checkbox').all()) await box.uncheck();
    await expect(code.getByText('Choose at least one group.')).toBeVisible();
    await expect(code.getByRole('button', { name: 'Save tools' })).toBeDisabled();
    expect(await callsOf(page, 'connectClient')).toEqual([]);
  });

  test('connect: progress, the contract call, then the "restart Claude Desktop" hint and the new status', async ({ page }) => {
    await openClients(page);
    const desktop = client(page, 'Claude Desktop');
    await holdNext(page, 'connectClient');
    await desktop.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(desktop.getByRole('button', { name: 'Connecting…' })).toBeDisabled();
    await release(page, 'connectClient');
    await expect(desktop.getByRole('status')).toContainText(
      'Quit Claude Desktop completely (also from the tray or menu bar) and open it again to load the change.',
    );
    await expect(desktop).toContainText('Connected');
    await expect(desktop.getByRole('button', { name: 'Disconnect', exact: true })).toBeVisible();
    expect(await callsOf(page, 'connectClient')).toEqual([{ id: 'claude-desktop' }]);
  });

  test('disconnect goes through the contract', async ({ page }) => {
    await openClients(page);
    const code = client(page, 'Claude Code');
    await code.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await expect(code).toContainText('Not connected');
    await expect(code.getByRole('status')).toContainText('Disconnected.');
    expect(await callsOf(page, 'disconnectClient')).toEqual([{ id: 'claude-code' }]);
  });

  test('the dry-run diff is fetched only on demand and writes nothing', async ({ page }) => {
    await openClients(page);
    expect(await callsOf(page, 'previewClientSetup')).toEqual([]);
    const desktop = client(page, 'Claude Desktop');
    const toggle = desktop.getByRole('button', { name: 'Show what connecting changes' });
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await toggle.click();
    const diff = desktop.getByLabel(/Changes to/);
    await expect(diff).toContainText('+    "daytona": {');
    await expect(desktop.getByRole('button', { name: 'Hide changes' })).toHaveAttribute('aria-expanded', 'true');
    expect(await callsOf(page, 'previewClientSetup')).toEqual([{ id: 'claude-desktop', action: 'connect' }]);
    expect(await callsOf(page, 'connectClient')).toEqual([]);
    await expect(desktop).toContainText('Not connected');
    await desktop.getByRole('button', { name: 'Hide changes' }).click();
    await expect(diff).toHaveCount(0);

    // For a connected client the diff is what disconnecting would remove.
    await client(page, 'Windsurf').getByRole('button', { name: 'Show what disconnecting changes' }).click();
    await expect(client(page, 'Windsurf').getByLabel(/Changes to/)).toContainText('-    "daytona": {');
  });

  test('a failed connect shows what to do, and the client stays as it was', async ({ page }) => {
    await openClients(page);
    await failNext(page, 'connectClient', {
      code: 'client-setup',
      message:
        '/home/ada/.config/Claude/claude_desktop_config.json cannot be parsed (line 4: unexpected "}"). Fix or remove the file, then connect again; it was not changed.',
    });
    const desktop = client(page, 'Claude Desktop');
    await desktop.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(desktop.getByRole('alert')).toContainText('cannot be parsed');
    await expect(desktop).toContainText('Not connected');
  });

  test('a foreign "daytona" entry is replaced only on an explicit "Replace" (force)', async ({ page }) => {
    await openClients(page);
    await page.evaluate(() => {
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({ clients: state.clients.map((c) => (c.id === 'claude-desktop' ? { ...c, entry: 'foreign' } : c)) });
    });
    const desktop = client(page, 'Claude Desktop');
    await expect(desktop).toContainText('Has another “daytona” entry');
    await desktop.getByRole('button', { name: 'Replace' }).click();
    await expect(desktop).toContainText('Connected');
    expect(await callsOf(page, 'connectClient')).toEqual([{ id: 'claude-desktop', force: true }]);
  });

  test('an outdated entry offers "Update"; a status problem is shown; looking again calls the contract', async ({ page }) => {
    await openClients(page);
    await page.evaluate(() => {
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({
        clients: state.clients.map((c) =>
          c.id === 'windsurf'
            ? { ...c, current: false }
            : c.id === 'claude-code'
              ? { ...c, problem: '~/.claude.json is not readable (EACCES). Check its permissions.' }
              : c,
        ),
      });
    });
    await expect(client(page, 'Windsurf')).toContainText('Connected · needs update');
    await client(page, 'Windsurf').getByRole('button', { name: 'Update' }).click();
    expect(await callsOf(page, 'connectClient')).toEqual([{ id: 'windsurf' }]);
    await expect(client(page, 'Claude Code')).toContainText('is not readable (EACCES)');
    await page.getByRole('button', { name: 'Look for clients again' }).click();
    await expect.poll(() => callsOf(page, 'refreshClients')).toEqual([undefined]);
  });
});
