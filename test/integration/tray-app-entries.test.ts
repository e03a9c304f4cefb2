import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app-harness.ts';
import { CLI } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * The app's start, as buildApp wires it for a shell: an entry of ours left by an AppImage run (its mount is gone) is
 * repaired in the client's real config file, and the desktop is told once, with a click that opens the clients view.
 */
let test: TestApp | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
afterEach(async () => {
  await test?.cleanup();
  await dir?.cleanup();
});

it('repairs a stale entry of ours at start and says so in a notification that opens the clients view', async () => {
  dir = await tempDir('daytona-tray-app-entries-');
  const file = join(dir.path, '.cursor', 'mcp.json');
  await mkdir(join(dir.path, '.cursor'), { recursive: true });
  const mount = '/tmp/.mount_DaytonGone1';
  await writeFile(
    file,
    `${JSON.stringify({ mcpServers: { daytona: { command: `${mount}/daytona-tray`, args: [`${mount}/resources/app.asar/out/main/cli.js`, 'bridge'] } } }, null, 2)}\n`,
  );
  test = await startTestApp({ home: dir.path, minuteMs: 60_000 });
  await expect
    .poll(
      async () => (JSON.parse(await readFile(file, 'utf8')) as { mcpServers: { daytona: { args: string[] } } }).mcpServers.daytona.args[0],
      {
        timeout: 30_000,
      },
    )
    .toBe(CLI);
  await expect.poll(() => test!.desktop.notifications.length, { timeout: 10_000 }).toBe(1);
  const [shown] = test.desktop.notifications;
  expect(shown!.spec).toMatchObject({ title: 'AI client connections repaired', view: 'clients' });
  expect(shown!.spec.body).toContain('Cursor');
  shown!.click();
  await expect.poll(() => test!.desktop.shown.at(-1)).toEqual({ view: 'clients' });
  // The clients' status is looked up again after the repair, in the background: the view shows it once it is in.
  await expect
    .poll(() => test!.state().clients.find((client) => client.id === 'cursor'), { timeout: 10_000 })
    .toMatchObject({ connected: true });
}, 120_000);
