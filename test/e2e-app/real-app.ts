import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { test as base, expect, type Page } from '@playwright/test';
import { cleanEnv } from '../helpers/mcp-harness.ts';
import { CLI, REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { startNotificationServer, type TestNotificationServer } from '../helpers/notification-server.ts';
import { keyringEnv, keyringSkipReason, startTestKeyring, type TestKeyring } from '../helpers/test-keyring.ts';
import { startWebApp, type WebAppChild } from '../helpers/web-app.ts';

/** One minute of the local provider's auto-stop clock, in real ms (DAYTONA_TRAY_LOCAL_MINUTE_MS). */
export const MINUTE_MS = 1_000;

export interface RealApp {
  /** The temp HOME (client config files live here). */
  home: string;
  /** DAYTONA_TRAY_HOME: settings, the MCP server's runtime file. */
  dataDir: string;
  env: NodeJS.ProcessEnv;
  keyring: TestKeyring;
  /** The desktop's notification service on the private bus, when the test asked for one (`desktopNotifications`). */
  notifications: TestNotificationServer | undefined;
  readonly app: WebAppChild;
  /** Stops the app (SIGTERM, waits for its exit) and starts it again on the same HOME and data dir. */
  restart(): Promise<void>;
  /** The page, opened through the one-time link. */
  open(page: Page): Promise<void>;
  /** An MCP client playing the agent: started as the clients' entries start it, through `daytona-tray bridge`. */
  agent(): Promise<Client>;
  settings(): Promise<{ activeProfile: string; profiles: Record<string, { kind: string }> }>;
}

const skipReason = keyringSkipReason();

/**
 * The real app per test: a temp HOME and data dir, a private Secret Service, and `daytona-tray app --web`.
 * Every page error or console error fails the test (a CSP violation shows up there too).
 */
export const test = base.extend<{
  real: RealApp;
  pageErrors: string[];
  consoleErrorsExpected: boolean;
  appEnv: Record<string, string>;
  desktopNotifications: boolean;
}>({
  /** Extra environment for the app (and the agent, and tools the test runs). */
  appEnv: [{}, { option: true }],
  /** Tests of refusals set it: a 401 page or a refused socket logs a console error on purpose. */
  consoleErrorsExpected: [false, { option: true }],
  /** A desktop notification service on the app's session bus (a test double of the desktop), started before the app. */
  desktopNotifications: [false, { option: true }],
  real: async ({ appEnv, desktopNotifications }, use) => {
    // CI installs the Secret Service: there a skip for lack of it counts as a failure (test/summary.mjs).
    if (skipReason !== undefined) test.info().annotations.push({ type: 'ci-provided', description: 'keyring' });
    test.skip(skipReason !== undefined, skipReason);
    const dir = await tempDir('e2e-app-');
    const home = join(dir.path, 'home');
    const dataDir = join(dir.path, 'data');
    await mkdir(home);
    const keyring = await startTestKeyring({ parentDir: dir.path });
    const env = keyringEnv(
      keyring,
      cleanEnv({
        HOME: home,
        DAYTONA_TRAY_HOME: dataDir,
        DAYTONA_TRAY_LOCAL_MINUTE_MS: String(MINUTE_MS),
        XDG_CONFIG_HOME: join(home, '.config'),
        ...appEnv,
      }),
    );
    const agents: Client[] = [];
    let app: WebAppChild | undefined;
    let notifications: TestNotificationServer | undefined;
    try {
      if (desktopNotifications) notifications = await startNotificationServer(keyring.env.DBUS_SESSION_BUS_ADDRESS);
      app = await startWebApp(env, REPO_ROOT);
      await use({
        home,
        dataDir,
        env,
        keyring,
        notifications,
        get app() {
          return app!;
        },
        async restart() {
          await app!.cli.kill('SIGTERM');
          await app!.cli.exited;
          app = await startWebApp(env, REPO_ROOT);
        },
        async open(page) {
          await page.goto(app!.url);
          await expect(page).toHaveURL(new URL('/', app!.url).href);
        },
        async agent() {
          const transport = new StdioClientTransport({
            command: process.execPath,
            args: [CLI, 'bridge'],
            env: env as Record<string, string>,
            stderr: 'pipe',
          });
          const client = new Client({ name: 'e2e-agent', version: '0.0.0' });
          await client.connect(transport, { timeout: 30_000 });
          agents.push(client);
          return client;
        },
        settings: async () => JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')),
      });
    } finally {
      for (const agent of agents) await agent.close().catch(() => {});
      await app?.cli.kill('SIGTERM');
      notifications?.stop();
      await keyring.stop();
      await dir.cleanup();
    }
  },
  pageErrors: [
    // After `real`, so checked before the app stops at teardown (a page whose app stops tries to reconnect and logs it).
    async ({ page, consoleErrorsExpected, real: _real }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await use(errors);
      if (!consoleErrorsExpected) expect(errors).toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

/** The text of a tool's answer. */
export function toolText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((part) => part.text ?? '').join('\n');
}
