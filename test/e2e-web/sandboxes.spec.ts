import { callsOf, expect, failNext, holdNext, openWindow, release, test } from './window-page.ts';

const row = (page: import('@playwright/test').Page, name: string) => page.getByRole('listitem', { name });

test.describe('sandboxes', () => {
  test('lists each sandbox with its state, resources, age and auto-stop countdown', async ({ page }) => {
    await openWindow(page);
    const web = row(page, 'web-preview');
    await expect(web.locator('.badge')).toHaveText('running');
    await expect(web).toContainText('2 vCPU');
    await expect(web).toContainText('4 GiB RAM');
    await expect(web).toContainText('10 GiB disk');
    await expect(web).toContainText('2 h old');
    await expect(web).toContainText(/Auto-stops in 1[12] min if idle/);
    await expect(row(page, 'data-cleanup').locator('.badge')).toHaveText('stopped');
    await expect(row(page, 'data-cleanup')).toContainText('1 d old');
    await expect(row(page, 'data-cleanup')).not.toContainText('Auto-stops');
    await expect(row(page, 'build-runner')).toContainText('The sandbox ran out of disk space.');
    await expect(page.getByRole('tab', { name: /Sandboxes/ })).toContainText('3');
  });

  test('the countdown ticks down under ten minutes', async ({ page }) => {
    await openWindow(page);
    await page.evaluate(() => {
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({ sandboxes: [{ ...state.sandboxes[0]!, autoStopAt: new Date(Date.now() + 65_000).toISOString() }] });
    });
    const note = row(page, 'web-preview').getByText(/Auto-stops in/);
    await expect(note).toContainText(/1 min 0\d s/);
    await expect(note).toContainText(/in \d\d? s/, { timeout: 10_000 });
  });

  test('the list follows every snapshot main emits: added, changed, removed', async ({ page }) => {
    await openWindow(page);
    await page.evaluate(() => {
      const { sampleSandbox } = window.fakeSamples;
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({
        sandboxes: [...state.sandboxes, sampleSandbox({ id: 'sbx-new-1', name: 'fresh-one', state: 'starting' })],
      });
    });
    await expect(row(page, 'fresh-one').locator('.badge')).toHaveText('starting');
    await expect(page.getByRole('tab', { name: /Sandboxes/ })).toContainText('4');

    await page.evaluate(() => {
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({ sandboxes: state.sandboxes.map((s) => (s.id === 'sbx-new-1' ? { ...s, state: 'started' } : s)) });
    });
    await expect(row(page, 'fresh-one').locator('.badge')).toHaveText('running');

    await page.evaluate(() => {
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({ sandboxes: state.sandboxes.filter((s) => s.id !== 'sbx-web-7c1f') });
    });
    await expect(row(page, 'web-preview')).toHaveCount(0);
    await expect(page.getByRole('list', { name: 'Sandboxes' }).getByRole('listitem')).toHaveCount(3);
  });

  test('a snapshot older than the one shown is ignored', async ({ page }) => {
    await openWindow(page);
    await expect(row(page, 'web-preview')).toBeVisible();
    await page.evaluate(() => {
      const earlier = window.fakeBridge.state();
      window.fakeBridge.emitState({ sandboxes: [] });
      // The earlier snapshot (lower revision) arrives late: it must not bring the rows back.
      window.fakeBridge.deliver(earlier);
    });
    await expect(page.getByText('No sandboxes yet')).toBeVisible();
    // A newer one is taken.
    await page.evaluate(() => {
      const { sampleSandbox } = window.fakeSamples;
      window.fakeBridge.deliver({ ...window.fakeBridge.state(), revision: 1000, sandboxes: [sampleSandbox({ id: 'n1', name: 'newer' })] });
    });
    await expect(row(page, 'newer')).toBeVisible();
  });

  test('stop shows progress, calls the contract with the id, and the row follows the new state', async ({ page }) => {
    await openWindow(page);
    const web = row(page, 'web-preview');
    await holdNext(page, 'stopSandbox');
    await web.getByRole('button', { name: 'Stop' }).click();
    await expect(web.getByRole('button', { name: 'Stopping…' })).toBeDisabled();
    await expect(web.getByRole('button', { name: 'Delete' })).toBeDisabled();
    await expect(web).toHaveAttribute('aria-busy', 'true');
    await release(page, 'stopSandbox');
    await expect(web.locator('.badge')).toHaveText('stopped');
    await expect(web.getByRole('button', { name: 'Start' })).toBeEnabled();
    expect(await callsOf(page, 'stopSandbox')).toEqual([{ id: 'sbx-web-7c1f' }]);
  });

  test('start calls the contract and the sandbox runs again', async ({ page }) => {
    await openWindow(page);
    const data = row(page, 'data-cleanup');
    await data.getByRole('button', { name: 'Start' }).click();
    await expect(data.locator('.badge')).toHaveText('running');
    await expect(data).toContainText('Auto-stops in');
    expect(await callsOf(page, 'startSandbox')).toEqual([{ id: 'sbx-data-91ab' }]);
  });

  test('a paused sandbox says so, with its time to live, and Resume starts it again', async ({ page }) => {
    await openWindow(page);
    await page.evaluate(() => {
      const { sampleSandbox } = window.fakeSamples;
      const state = window.fakeBridge.state();
      const hours = (n: number) => new Date(Date.now() + n * 3_600_000 + 30_000).toISOString();
      window.fakeBridge.emitState({
        sandboxes: [
          ...state.sandboxes,
          sampleSandbox({ id: 'sbx-paused-1', name: 'paused-one', state: 'paused', autoPauseInterval: 30, autoDestroyAt: hours(2) }),
          sampleSandbox({ id: 'sbx-pausing-2', name: 'pauses-soon', state: 'started', autoPauseAt: hours(0.2) }),
        ],
      });
    });
    const paused = row(page, 'paused-one');
    await expect(paused.locator('.badge')).toHaveText('paused');
    await expect(paused).toContainText('Paused: its processes are frozen with their memory kept');
    await expect(paused).toContainText(/Deleted in 2 h.*\(time to live\), whatever its state/);
    await expect(paused.getByRole('button', { name: 'Stop' })).toHaveCount(0);
    await expect(row(page, 'pauses-soon')).toContainText(/Auto-pauses in 1[12] min if idle/);
    await holdNext(page, 'startSandbox');
    await paused.getByRole('button', { name: 'Resume' }).click();
    await expect(paused.getByRole('button', { name: 'Resuming…' })).toBeDisabled();
    await release(page, 'startSandbox');
    await expect(paused.locator('.badge')).toHaveText('running');
    await expect(paused).not.toContainText('Paused:');
    expect(await callsOf(page, 'startSandbox')).toEqual([{ id: 'sbx-paused-1' }]);
  });

  test('delete asks first: cancel keeps it, confirm deletes it', async ({ page }) => {
    await openWindow(page);
    const data = row(page, 'data-cleanup');
    await data.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete data-cleanup?' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
    await data.getByRole('button', { name: 'Delete' }).click();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    expect(await callsOf(page, 'deleteSandbox')).toEqual([]);

    await data.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete sandbox' }).click();
    await expect(data).toHaveCount(0);
    expect(await callsOf(page, 'deleteSandbox')).toEqual([{ id: 'sbx-data-91ab' }]);
  });

  test('open preview asks for the port and opens it through main', async ({ page }) => {
    await openWindow(page);
    const web = row(page, 'web-preview');
    await expect(row(page, 'data-cleanup').getByRole('button', { name: 'Preview' })).toBeDisabled();
    await web.getByRole('button', { name: 'Preview' }).click();
    const port = page.getByRole('dialog').getByLabel('Port the app listens on');
    await expect(port).toBeFocused();
    await port.fill('8080');
    await port.press('Enter');
    await expect(page.getByRole('status')).toContainText('Opened https://8080-sbx-web-7c1f.proxy.daytona.works');
    expect(await callsOf(page, 'openPreview')).toEqual([{ id: 'sbx-web-7c1f', port: 8080 }]);
  });

  test('open terminal asks main to open one for a started sandbox, says where, and shows why when it cannot', async ({ page }) => {
    await openWindow(page);
    await expect(row(page, 'data-cleanup').getByRole('button', { name: 'Open terminal' })).toBeDisabled();
    const web = row(page, 'web-preview');
    await web.getByRole('button', { name: 'Open terminal' }).click();
    await expect(page.getByRole('status')).toContainText('Opened a terminal on web-preview (xterm)');
    expect(await callsOf(page, 'openTerminal')).toEqual([{ id: 'sbx-web-7c1f' }]);
    await failNext(page, 'openTerminal', { code: 'unsupported', message: 'No terminal emulator was found: install xterm.' });
    await web.getByRole('button', { name: 'Open terminal' }).click();
    await expect(web.getByRole('alert')).toContainText('No terminal emulator was found: install xterm.');
  });

  test('copy id goes through main (the sandboxed window has no clipboard) and confirms', async ({ page }) => {
    await openWindow(page);
    await row(page, 'build-runner').getByRole('button', { name: 'Copy ID' }).click();
    await expect(page.getByRole('status')).toContainText('Copied sbx-build-04de');
    expect(await callsOf(page, 'copyText')).toEqual([{ text: 'sbx-build-04de' }]);
  });

  test("a failed action shows main's advice in the row and leaves the state alone", async ({ page }) => {
    await openWindow(page);
    await failNext(page, 'stopSandbox', {
      code: 'unreachable',
      message: 'Could not reach https://app.daytona.io/api (ENOTFOUND). Check your network, then try again.',
    });
    const web = row(page, 'web-preview');
    await web.getByRole('button', { name: 'Stop' }).click();
    await expect(web.getByRole('alert')).toContainText('Could not reach https://app.daytona.io/api');
    await expect(web.locator('.badge')).toHaveText('running');
    await web.getByRole('button', { name: 'Dismiss' }).click();
    await expect(web.getByRole('alert')).toHaveCount(0);
  });

  test('filters by state, offering only the states present', async ({ page }) => {
    await openWindow(page);
    const filters = page.getByRole('group', { name: 'Filter by state' });
    await expect(filters.getByRole('button')).toHaveText(['All 3', 'Running 1', 'Stopped 1', 'Errors 1']);
    await filters.getByRole('button', { name: /Stopped/ }).click();
    await expect(filters.getByRole('button', { name: /Stopped/ })).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByRole('list', { name: 'Sandboxes' }).getByRole('heading')).toHaveText(['data-cleanup']);
    await filters.getByRole('button', { name: /Errors/ }).click();
    await expect(page.getByRole('list', { name: 'Sandboxes' }).getByRole('heading')).toHaveText(['build-runner']);
    // The filtered state empties: the chip stays (it is selected) and the empty text says what is filtered.
    await page.evaluate(() => {
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({ sandboxes: state.sandboxes.filter((s) => s.state !== 'error') });
    });
    await expect(page.getByText('No sandboxes match “Errors”.')).toBeVisible();
    await filters.getByRole('button', { name: /All/ }).click();
    await expect(page.getByRole('list', { name: 'Sandboxes' }).getByRole('listitem')).toHaveCount(2);
  });

  test('empty state, and loading before the first listing', async ({ page }) => {
    await openWindow(page);
    await page.evaluate(() => window.fakeBridge.emitState({ sandboxes: [], watcher: { state: 'starting', events: 'connecting' } }));
    await expect(page.getByText('Loading sandboxes…')).toBeVisible();
    await page.evaluate(() => window.fakeBridge.emitState({ watcher: { state: 'running', events: 'live', lastListingAt: Date.now() } }));
    await expect(page.getByText('No sandboxes yet')).toBeVisible();
    await expect(page.getByText(/Ask your AI agent to create one/)).toBeVisible();
  });

  test('a listing problem is shown above the last known list, with a retry through the contract', async ({ page }) => {
    await openWindow(page);
    await page.evaluate(() =>
      window.fakeBridge.emitState({
        watcher: {
          state: 'running',
          events: 'down',
          problem: { kind: 'network', message: 'Daytona did not answer (ETIMEDOUT). Retrying in 8 s.' },
        },
      }),
    );
    const banner = page.getByRole('alert').filter({ hasText: 'Could not list sandboxes' });
    await expect(banner).toContainText('ETIMEDOUT');
    await expect(row(page, 'web-preview')).toBeVisible();
    await banner.getByRole('button', { name: 'Retry' }).click();
    expect(await callsOf(page, 'refreshSandboxes')).toEqual([undefined]);

    await page.evaluate(() =>
      window.fakeBridge.emitState({
        watcher: {
          state: 'unauthorized',
          events: 'off',
          problem: { kind: 'unauthorized', message: 'Daytona refused the API key (401). Replace it in Settings.' },
        },
      }),
    );
    await expect(page.getByRole('alert').filter({ hasText: 'Daytona refused the API key' })).toContainText('Replace it in Settings');
  });

  test('a local sandbox without bubblewrap carries a "not isolated" badge', async ({ page }) => {
    await openWindow(page);
    await page.evaluate(() => {
      const { sampleSandbox, notIsolated } = window.fakeSamples;
      window.fakeBridge.emitState({
        sandboxes: [notIsolated(sampleSandbox({ id: 'l1', name: 'plain-process' })), sampleSandbox({ id: 'l2', name: 'isolated-one' })],
      });
    });
    await expect(row(page, 'plain-process').getByText('not isolated')).toBeVisible();
    await expect(row(page, 'isolated-one').getByText('not isolated')).toHaveCount(0);
  });
});

test.describe('a notification about a sandbox', () => {
  test('opens the Sandboxes view scrolled to that sandbox and highlighted, even from another view and a filter that hid it', async ({
    page,
  }) => {
    await openWindow(page);
    // Enough running sandboxes to push a stopped one below the fold of the 560 px window.
    await page.evaluate(() => {
      const { sampleSandbox } = window.fakeSamples;
      const many = Array.from({ length: 12 }, (_, i) =>
        sampleSandbox({ id: `sbx-busy-${i}`, name: `busy-${String(i).padStart(2, '0')}`, state: 'started' }),
      );
      window.fakeBridge.emitState({
        sandboxes: [...many, sampleSandbox({ id: 'sbx-idle-zz', name: 'zz-auto-stopped', state: 'stopped' })],
      });
    });
    await page.getByRole('button', { name: /^Running/ }).click();
    await expect(row(page, 'zz-auto-stopped')).toHaveCount(0);
    await page.getByRole('tab', { name: 'Clients' }).click();

    await page.evaluate(() => window.fakeBridge.showView('sandboxes', 'sbx-idle-zz'));
    await expect(page.getByRole('tab', { name: /Sandboxes/ })).toHaveAttribute('aria-selected', 'true');
    const target = row(page, 'zz-auto-stopped');
    await expect(target).toHaveAttribute('aria-current', 'true');
    await expect(target).toHaveClass(/\bhighlighted\b/);
    await expect(target).toBeInViewport();
    await expect(page.locator('.sandbox[aria-current]')).toHaveCount(1);
    await expect(page.getByRole('button', { name: /^All/ })).toHaveAttribute('aria-pressed', 'true');

    // Choosing a view by hand ends the highlight; a plain "open the window" sets none.
    await page.getByRole('tab', { name: 'Server' }).click();
    await page.getByRole('tab', { name: /Sandboxes/ }).click();
    await expect(page.locator('.sandbox[aria-current]')).toHaveCount(0);
    await page.evaluate(() => window.fakeBridge.showView('sandboxes'));
    await expect(page.locator('.sandbox.highlighted')).toHaveCount(0);
  });
});
