import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUtility } from '../../main/local/sandbox-runner/probe.ts';
import { missingDesktopPackages } from '../../main/local/toolbox/computer-use/desktop.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { ChildStdioTransport, cleanEnv, connectClient, spawnCli, startHttpChild, textOf, type CliChild } from '../helpers/mcp-harness.ts';
import { bubblewrapSkipReason, skipWhen } from '../helpers/skip.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const missing = missingDesktopPackages();
const skip = (missing.length > 0 ? `the desktop packages are not installed (${missing.join(', ')})` : undefined) ?? bubblewrapSkipReason();

// Killing Xvfb by name is safe only inside a sandbox's own pid namespace (bubblewrap): it never sees the host's.
describe('a desktop whose processes die is brought back by the provider', skipWhen(skip, 'desktop'), () => {
  let t: TestProvider;
  const lines: string[] = [];

  beforeAll(async () => {
    t = await startTestProvider({ log: (line) => lines.push(line) });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('Xvfb killed inside the sandbox: the log says so, the status reads active again, and a new screenshot works', async () => {
    const sandbox = await t.daytona.create({ name: 'desk-crash' });
    await sandbox.computerUse.start();
    const before = (await sandbox.process.executeCommand('pgrep -x Xvfb')).result.trim();
    expect(before).toMatch(/^\d+$/);
    expect(await sandbox.computerUse.getProcessStatus('xvfb')).toMatchObject({ running: true });

    await sandbox.process.executeCommand('pkill -KILL -x Xvfb');

    await expect.poll(() => lines.join('\n'), { timeout: 15_000 }).toMatch(/xvfb exited unexpectedly \(SIGKILL\)/);
    await expect.poll(() => lines.join('\n'), { timeout: 15_000 }).toMatch(new RegExp(`desktop of sandbox ${sandbox.id}: restarted`));
    // The restart brings both back; under load openbox, which loses its display with Xvfb, can be reported gone and
    // started again just after the line above: wait for the desktop as a whole.
    await expect.poll(async () => (await sandbox.computerUse.getStatus()).status, { timeout: 15_000 }).toBe('active');
    expect(await sandbox.computerUse.getProcessStatus('xvfb')).toMatchObject({ running: true });
    expect(await sandbox.computerUse.getProcessStatus('openbox')).toMatchObject({ running: true });
    const after = (await sandbox.process.executeCommand('pgrep -x Xvfb')).result.trim();
    expect(after).toMatch(/^\d+$/);
    expect(after).not.toBe(before);
    const shot = await sandbox.computerUse.screenshot.takeFullScreen();
    const meta = await sharp(Buffer.from(shot.screenshot!, 'base64')).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: 'png', width: 1024, height: 768 });
    // Commands see the display that runs now (the killed one's socket was cleaned, so the number is the same one).
    expect((await sandbox.process.executeCommand('xdpyinfo >/dev/null && echo reachable')).result).toBe('reachable\n');
  });

  it('a desktop stopped on purpose stays stopped (no restart, nothing logged as a crash)', async () => {
    const sandbox = await t.daytona.create({ name: 'desk-stop' });
    await sandbox.computerUse.start();
    const crashes = lines.filter((line) => line.includes(sandbox.id)).length;
    await sandbox.computerUse.stop();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await sandbox.computerUse.getStatus()).status).toBe('inactive');
    expect(lines.filter((line) => line.includes(sandbox.id)).length).toBe(crashes);
  });
});

/** Xvfb absent from this machine, as the provider's lookup sees it: everything else is found where it is. */
const withoutXvfb = (command: string) => (command === 'Xvfb' ? undefined : findUtility(command));

describe('computer_use_start on a machine without Xvfb names the Debian package to install', () => {
  let t: TestProvider;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: { cli: CliChild } | undefined;
  let bridge: CliChild | undefined;
  let client: Client | undefined;

  beforeAll(async () => {
    t = await startTestProvider({ findDesktopUtility: withoutXvfb });
    dir = await tempDir('daytona-tray-no-xvfb-');
  });
  afterAll(async () => {
    await client?.close().catch(() => {});
    await bridge?.kill();
    await server?.cli.kill();
    await t?.stop();
    await dir?.cleanup();
  });

  it('through the SDK: the error says which package and the apt-get command', async () => {
    const sandbox = await t.daytona.create({ name: 'no-xvfb' });
    const error = await sandbox.computerUse.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/needs xvfb\b.*sudo apt-get install xvfb\b/);
    expect((await sandbox.computerUse.getStatus()).status).toBe('inactive');
  });

  it('through the MCP tool, over the bridge: an error result with the same advice', async () => {
    const env = cleanEnv({
      DAYTONA_API_URL: t.provider.apiUrl,
      DAYTONA_API_KEY: t.provider.apiKey,
      DAYTONA_TRAY_HOME: dir.path,
      HOME: dir.path,
    });
    server = await startHttpChild(env, dir.path, dir.path);
    bridge = spawnCli(['bridge'], cleanEnv({ DAYTONA_TRAY_HOME: dir.path }), dir.path);
    client = await connectClient(new ChildStdioTransport(bridge));
    const created = (await client.callTool({ name: 'create_sandbox', arguments: { name: 'mcp-no-xvfb' } })) as unknown as {
      structuredContent: { id: string };
    };
    const result = (await client.callTool({ name: 'computer_use_start', arguments: { id: created.structuredContent.id } })) as {
      isError?: boolean;
    };
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/needs xvfb\b.*sudo apt-get install xvfb\b/);
  });
});
