import type { Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { missingDesktopPackages } from '../../main/local/toolbox/computer-use/desktop.ts';
import { missingVncPackages, NO_VNC_PORT } from '../../main/local/toolbox/computer-use/vnc.ts';
import { findUtility } from '../../main/local/sandbox-runner/probe.ts';
import { startTestProvider, startTestProviderWithEnv, type TestProvider } from '../helpers/local-provider.ts';
import { localhostLookup, previewGet } from '../helpers/preview-request.ts';
import { bubblewrapSkipReason, skipNow, skipWhen } from '../helpers/skip.ts';

const TOKEN_HEADER = 'x-daytona-preview-token';
const missing = [...missingDesktopPackages(), ...missingVncPackages()];
const skip =
  (missing.length > 0 ? `the desktop and VNC packages are not installed (${missing.join(', ')})` : undefined) ?? bubblewrapSkipReason();

/** The first bytes a VNC server sends through noVNC's WebSocket (its RFB protocol version), as a browser would get them. */
function firstFrame(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), ['binary'], { headers, lookup: localhostLookup, handshakeTimeout: 15_000 });
    socket.once('message', (data: Buffer) => {
      resolve(data.toString('latin1'));
      socket.close();
    });
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

describe('VNC (x11vnc + noVNC) on the local provider, through the preview link as on Daytona', skipWhen(skip, 'desktop'), () => {
  let t: TestProvider;
  let sandbox: Sandbox;
  let other: Sandbox;
  const lines: string[] = [];

  beforeAll(async () => {
    t = await startTestProvider({ log: (line) => lines.push(line) });
    [sandbox, other] = await Promise.all([t.daytona.create({ name: 'vnc' }), t.daytona.create({ name: 'vnc-other' })]);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('start runs x11vnc and novnc beside the display; their status and logs answer', async (ctx) => {
    const started = await sandbox.computerUse.start();
    if (!('x11vnc' in (started.status ?? {}))) skipNow(ctx, "this machine's sandboxes share the host's network: no VNC here");
    expect(started.status).toMatchObject({ x11vnc: { running: true }, novnc: { running: true } });
    expect(await sandbox.computerUse.getProcessStatus('x11vnc')).toEqual({ processName: 'x11vnc', running: true });
    expect(await sandbox.computerUse.getProcessStatus('novnc')).toEqual({ processName: 'novnc', running: true });
    expect((await sandbox.computerUse.getProcessLogs('novnc')).logs).toBeDefined();
  });

  it("the preview link of port 6080 serves noVNC's page, and its WebSocket speaks VNC from this sandbox's display", async (ctx) => {
    if (!(await sandbox.computerUse.getProcessStatus('x11vnc').catch(() => undefined))?.running) skipNow(ctx, 'no VNC here');
    const link = await sandbox.getPreviewLink(NO_VNC_PORT);
    const page = await previewGet(`${link.url}/vnc.html`, { [TOKEN_HEADER]: link.token });
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<title>noVNC<\/title>/);
    expect(await firstFrame(`${link.url}/websockify`, { [TOKEN_HEADER]: link.token })).toMatch(/^RFB 003\.00\d\n$/);
    // The sandbox is private: without its token the proxy refuses both.
    expect((await previewGet(`${link.url}/vnc.html`)).status).toBe(401);
    await expect(firstFrame(`${link.url}/websockify`, {})).rejects.toThrow(/HTTP 401/);
  });

  it('restarting x11vnc brings it back with a new process, still serving', async (ctx) => {
    if (!(await sandbox.computerUse.getProcessStatus('x11vnc').catch(() => undefined))?.running) skipNow(ctx, 'no VNC here');
    const pidOf = async () =>
      (
        (await t.request(`/toolbox/${sandbox.id}/computeruse/start`, { method: 'POST' }).then((r) => r.json())) as {
          status: { x11vnc: { pid: number } };
        }
      ).status.x11vnc.pid;
    const before = await pidOf();
    expect(await sandbox.computerUse.restartProcess('x11vnc')).toMatchObject({ processName: 'x11vnc' });
    expect(await pidOf()).not.toBe(before);
    const link = await sandbox.getPreviewLink(NO_VNC_PORT);
    expect(await firstFrame(`${link.url}/websockify`, { [TOKEN_HEADER]: link.token })).toMatch(/^RFB /);
  });

  it('x11vnc killed inside the sandbox is started again by the provider (as Daytona restarts it), and the log says so', async (ctx) => {
    if (!(await sandbox.computerUse.getProcessStatus('x11vnc').catch(() => undefined))?.running) skipNow(ctx, 'no VNC here');
    // pkill by name is safe here: the sandbox's own pid namespace holds only its processes.
    const before = (await sandbox.process.executeCommand('pgrep -x x11vnc')).result.trim();
    expect(before).toMatch(/^\d+$/);
    await sandbox.process.executeCommand('pkill -KILL -x x11vnc');
    await expect.poll(() => lines.join('\n'), { timeout: 15_000 }).toMatch(/x11vnc exited unexpectedly \(SIGKILL\); restarting it/);
    await expect.poll(() => lines.join('\n'), { timeout: 15_000 }).toMatch(/x11vnc restarted/);
    expect(await sandbox.computerUse.getProcessStatus('x11vnc')).toMatchObject({ running: true });
    const after = (await sandbox.process.executeCommand('pgrep -x x11vnc')).result.trim();
    expect(after).toMatch(/^\d+$/);
    expect(after).not.toBe(before);
    const link = await sandbox.getPreviewLink(NO_VNC_PORT);
    expect(await firstFrame(`${link.url}/websockify`, { [TOKEN_HEADER]: link.token })).toMatch(/^RFB /);
  });

  it("isolation: another sandbox reaches neither this sandbox's VNC server nor, through its own preview link, its desktop", async (ctx) => {
    if (!(await sandbox.computerUse.getProcessStatus('x11vnc').catch(() => undefined))?.running) skipNow(ctx, 'no VNC here');
    const probe = await other.process.executeCommand(
      `python3 -c "import socket; socket.create_connection(('127.0.0.1', 5901), 3)" 2>/dev/null && echo reachable || echo unreachable`,
    );
    expect(probe.result).toBe('unreachable\n');
    const theirs = await other.getPreviewLink(NO_VNC_PORT);
    expect((await previewGet(`${theirs.url}/vnc.html`, { [TOKEN_HEADER]: theirs.token })).status).not.toBe(200);
    // The same probe inside this sandbox does reach it, so 'unreachable' above means something.
    const own = await sandbox.process.executeCommand(
      `python3 -c "import socket; socket.create_connection(('127.0.0.1', 5901), 3)" 2>/dev/null && echo reachable || echo unreachable`,
    );
    expect(own.result).toBe('reachable\n');
  });

  it('stop ends both: their status says not running and the preview link no longer serves noVNC', async (ctx) => {
    if (!(await sandbox.computerUse.getProcessStatus('x11vnc').catch(() => undefined))?.running) skipNow(ctx, 'no VNC here');
    const stopped = await sandbox.computerUse.stop();
    expect(stopped.status).toMatchObject({ x11vnc: { running: false }, novnc: { running: false } });
    const link = await sandbox.getPreviewLink(NO_VNC_PORT);
    expect((await previewGet(`${link.url}/vnc.html`, { [TOKEN_HEADER]: link.token })).status).not.toBe(200);
  });
});

describe('where VNC is not offered, the desktop runs without it and its process routes say why', skipWhen(skip, 'desktop'), () => {
  const refusal = async (t: TestProvider) => {
    const sandbox = await t.daytona.create();
    const started = await sandbox.computerUse.start();
    expect(Object.keys(started.status ?? {}).sort()).toEqual(['openbox', 'xvfb']);
    const error = await sandbox.computerUse.getProcessStatus('x11vnc').catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 404, code: 'PROCESS_NOT_FOUND' });
    return (error as Error).message;
  };

  it("sandboxes in the host's network: their VNC ports would be open to every local user, so none", async () => {
    const t = await startTestProviderWithEnv({ DAYTONA_TRAY_NO_NETNS: '1' });
    try {
      expect(await refusal(t)).toMatch(/share the host's network.*computer_use_screenshot/);
    } finally {
      await t.stop();
    }
  });

  it('without x11vnc installed: the message names the package to install', async () => {
    const t = await startTestProvider({ findDesktopUtility: (command) => (command === 'x11vnc' ? undefined : findUtility(command)) });
    try {
      expect(await refusal(t)).toMatch(/VNC needs x11vnc.*sudo apt-get install x11vnc/);
    } finally {
      await t.stop();
    }
  });
});
