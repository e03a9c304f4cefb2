import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { KEYCHAIN_SERVICE } from '../../main/core/secrets/keyring-secret-store.ts';
import { apiKeyAccount } from '../../main/core/secrets/profile-secrets.ts';
import { filesUnder } from '../helpers/host-state.ts';
import { cliEnv, startCliProvider } from '../helpers/local-cli.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { expect, test, toolText, type RealApp } from './real-app.ts';

/** First run through the window: "Try locally" makes the local provider the active profile. */
async function tryLocally(page: Page, real: RealApp): Promise<void> {
  await real.open(page);
  await expect(page.getByRole('heading', { name: 'Welcome to Daytona Tray' })).toBeVisible();
  await page.getByRole('button', { name: 'Try locally' }).click();
  await expect(page.getByText('Local provider')).toBeVisible();
  await expect(page.getByRole('button', { name: /^MCP server running on port \d+/ })).toBeVisible();
}

const sandboxRow = (page: Page, name: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name }) });
const tab = (page: Page, name: string) => page.getByRole('tab', { name });

test('first run: "Try locally" gives a working local profile; what the browser cannot do is said, not offered', async ({ page, real }) => {
  await tryLocally(page, real);
  expect((await real.settings()).activeProfile).toBe('local');
  await tab(page, 'Settings').click();
  await expect(page.getByTestId('no-start-at-login')).toBeVisible();
  await expect(page.getByRole('switch', { name: 'Start at login' })).toHaveCount(0);
  await expect(page.getByTestId('no-tray-icon')).toBeVisible();
});

test('an agent creates a sandbox through the bridge: its row appears without a reload; stop, start and delete from the window change the provider', async ({
  page,
  real,
}) => {
  await tryLocally(page, real);
  const agent = await real.agent();
  const created = await agent.callTool({ name: 'create_sandbox', arguments: { name: 'agent-box', autoStopInterval: 0 } }, undefined, {
    timeout: 60_000,
  });
  expect(created.isError, toolText(created)).toBeFalsy();

  const row = sandboxRow(page, 'agent-box');
  await expect(row).toBeVisible();
  await expect(row.getByText('running', { exact: true })).toBeVisible();
  await tab(page, 'Balance').click();
  const burn = page.getByRole('group', { name: 'Burn rate' });
  await expect(burn).toContainText('1 running');

  await tab(page, 'Sandboxes').click();
  await row.getByRole('button', { name: 'Stop' }).click();
  await expect(row.getByText('stopped', { exact: true })).toBeVisible();
  const listed = async () => toolText(await agent.callTool({ name: 'list_sandboxes', arguments: {} }));
  expect(await listed()).toMatch(/agent-box[\s\S]*stopped/);
  await tab(page, 'Balance').click();
  await expect(burn).toContainText('0 running');

  await tab(page, 'Sandboxes').click();
  await row.getByRole('button', { name: 'Start' }).click();
  await expect(row.getByText('running', { exact: true })).toBeVisible();
  expect(await listed()).toMatch(/agent-box[\s\S]*started/);

  await row.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('button', { name: 'Delete sandbox' }).click();
  await expect(row).toHaveCount(0);
  expect(await listed()).not.toContain('agent-box');
});

test('auto-stop on the scaled clock: the notice arrives in the page and its click opens Sandboxes at that sandbox', async ({
  page,
  real,
}) => {
  await tryLocally(page, real);
  const agent = await real.agent();
  const created = await agent.callTool({ name: 'create_sandbox', arguments: { name: 'idle-box', autoStopInterval: 1 } }, undefined, {
    timeout: 60_000,
  });
  expect(created.isError, toolText(created)).toBeFalsy();
  await expect(sandboxRow(page, 'idle-box')).toBeVisible();
  await tab(page, 'Clients').click();

  // No Notification permission in this browser: the page shows the alert itself.
  const notice = page.getByRole('alert').filter({ hasText: 'idle-box' });
  await expect(notice).toBeVisible({ timeout: 60_000 });
  await notice.getByRole('button', { name: 'Open' }).click();
  await expect(tab(page, 'Sandboxes')).toHaveAttribute('aria-selected', 'true');
  await expect(sandboxRow(page, 'idle-box').getByText('stopped', { exact: true })).toBeVisible();
  await expect(sandboxRow(page, 'idle-box')).toHaveAttribute('aria-current', 'true');
});

test('kill -9 of the MCP server: the header shows it restarting, then running again', async ({ page, real }) => {
  await tryLocally(page, real);
  const { pid } = JSON.parse(await readFile(join(real.dataDir, 'mcp-server.json'), 'utf8')) as { pid: number };
  process.kill(pid, 'SIGKILL');
  await expect(page.getByRole('button', { name: /^MCP server (restarting|starting)/ })).toBeVisible();
  await expect(page.getByRole('button', { name: /^MCP server running on port \d+/ })).toBeVisible();
  const after = JSON.parse(await readFile(join(real.dataDir, 'mcp-server.json'), 'utf8')) as { pid: number };
  expect(after.pid).not.toBe(pid);
});

test.describe('Claude Code, through its real CLI (devDependency @anthropic-ai/claude-code)', () => {
  // The app finds `claude` on PATH, as on a developer's machine.
  const bin = join(REPO_ROOT, 'node_modules', '.bin');
  test.use({ appEnv: { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` } });

  test('connect from the window: `claude mcp list` shows it Connected; disconnect leaves the other server', async ({ page, real }) => {
    const claude = (...args: string[]) =>
      promisify(execFile)(join(bin, 'claude'), args, { env: real.env, timeout: 90_000 }).then((out) => out.stdout);
    await claude(
      'mcp',
      'add-json',
      '--scope',
      'user',
      'mine',
      JSON.stringify({ type: 'stdio', command: process.execPath, args: ['-e', 'process.exit(0)'] }),
    );
    await tryLocally(page, real);
    await tab(page, 'Clients').click();
    const row = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Claude Code' }) });
    await row.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(row.getByRole('status')).toContainText('Connected.');
    const listed = await claude('mcp', 'list');
    expect(listed).toMatch(/daytona: .*✓ Connected/);
    expect(listed).toContain('mine:');

    await row.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await expect(row.getByRole('status')).toContainText('Disconnected.');
    const after = await claude('mcp', 'list');
    expect(after).not.toContain('daytona:');
    expect(after).toContain('mine:');
  });
});

test("connect and disconnect Cursor from the window: our entry comes and goes, the user's other server stays", async ({ page, real }) => {
  const config = join(real.home, '.cursor', 'mcp.json');
  await mkdir(join(real.home, '.cursor'));
  await writeFile(config, JSON.stringify({ mcpServers: { mine: { command: 'my-server', args: ['--keep'] } } }, null, 2));
  await tryLocally(page, real);
  await tab(page, 'Clients').click();
  const row = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Cursor' }) });
  await row.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(row.getByRole('status')).toContainText('Connected.');
  const connected = JSON.parse(await readFile(config, 'utf8')) as { mcpServers: Record<string, { args?: string[] }> };
  expect(Object.keys(connected.mcpServers).sort()).toEqual(['daytona', 'mine']);
  expect(connected.mcpServers.daytona!.args).toContain('bridge');

  await row.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await expect(row.getByRole('status')).toContainText('Disconnected.');
  const after = JSON.parse(await readFile(config, 'utf8')) as { mcpServers: Record<string, unknown> };
  expect(after.mcpServers).toEqual({ mine: { command: 'my-server', args: ['--keep'] } });
});

test('first run with a key: a second provider plays Daytona Cloud; the key goes to the keychain, the window shows only its suffix, no file has it', async ({
  page,
  real,
}) => {
  const cloudDir = await tempDir('e2e-cloud-');
  const cloud = await startCliProvider([], cliEnv(cloudDir.path));
  try {
    await real.open(page);
    await page.getByLabel('API key').fill(cloud.apiKey);
    await page.getByRole('button', { name: 'Self-hosted Daytona?' }).click();
    await page.getByLabel('API URL').fill(cloud.apiUrl);
    await page.getByRole('button', { name: 'Check and save' }).click();
    await expect(page.getByRole('tab', { name: /Sandboxes/ })).toBeVisible();

    const settings = await real.settings();
    expect(settings.profiles[settings.activeProfile]).toMatchObject({ kind: 'cloud', apiUrl: cloud.apiUrl });
    expect(await real.keyring.lookup({ service: KEYCHAIN_SERVICE, username: apiKeyAccount(settings.activeProfile) })).toBe(cloud.apiKey);

    await tab(page, 'Settings').click();
    await expect(page.getByLabel(`API key ending in ${cloud.apiKey.slice(-4)}`)).toBeVisible();
    // The key crossed once, into main: nothing the page got back carries it.
    expect(await page.content()).not.toContain(cloud.apiKey);
    const state = await page.evaluate(async () =>
      JSON.stringify(await (window as unknown as { bridge: { getState(): Promise<unknown> } }).bridge.getState()),
    );
    expect(state).not.toContain(cloud.apiKey);
    for (const file of [...(await filesUnder(real.home)), ...(await filesUnder(real.dataDir))]) {
      // The runtime file is rewritten while the server restarts on the new profile: one gone since the listing holds nothing.
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) =>
        error.code === 'ENOENT' ? '' : Promise.reject(error),
      );
      expect(text, file).not.toContain(cloud.apiKey);
    }

    // The "cloud" is really used: an agent's sandbox lands on that provider. The agent starts once the server
    // serves the new profile (no local provider under it): a call in flight while it restarts may be lost.
    await expect
      .poll(
        async () => {
          const server = await page.evaluate(async () => {
            const app = await (
              window as unknown as { bridge: { getState(): Promise<{ ok: boolean; value?: unknown }> } }
            ).bridge.getState();
            return (app.ok ? app.value : undefined) as { server: { state: string; localProvider?: unknown } } | undefined;
          });
          return server?.server.state === 'running' && server.server.localProvider === undefined;
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    const agent = await real.agent();
    const created = await agent.callTool({ name: 'create_sandbox', arguments: { name: 'cloud-box', autoStopInterval: 0 } }, undefined, {
      timeout: 60_000,
    });
    expect(created.isError, toolText(created)).toBeFalsy();
    await tab(page, 'Sandboxes').click();
    await expect(sandboxRow(page, 'cloud-box')).toBeVisible();
    expect((await cloud.daytona.get('cloud-box')).name).toBe('cloud-box');
  } finally {
    await cloud.stop();
    await cloudDir.cleanup();
  }
});
