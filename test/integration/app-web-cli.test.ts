import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.ts';
import { processGone } from '../helpers/host-state.ts';
import { runCliToExit } from '../helpers/local-cli.ts';
import { cleanEnv, runtimeFileOf } from '../helpers/mcp-harness.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { descendantsOf, startWebApp } from '../helpers/web-app.ts';
import { skipWhen } from '../helpers/skip.ts';
import { electronLaunch } from '../../main/cli/electron-runtime.ts';

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('daytona-tray app --web', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await tempDir('app-web-');
    // No display: the command explains why it runs in the browser, and runs there.
    env = cleanEnv({ HOME: join(dir.path, 'home'), DAYTONA_TRAY_HOME: join(dir.path, 'data') });
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
  });
  afterAll(async () => {
    await dir?.cleanup();
  });

  it('refuses bad options with a line that says what to do (exit 2)', async () => {
    const result = await runCliToExit(['app', '--port', 'eighty'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port must be a port number');
  });

  it('without a display, says why in one line, prints exactly one JSON line with a one-time link, supervises the MCP server, and reaps every child on SIGTERM', async () => {
    // Without --web: where Electron cannot run, the command says why in one line and runs the web page.
    const app = await startWebApp(env, REPO_ROOT, ['--auto']);
    let children: number[] = [];
    try {
      expect(app.stdoutLines()).toEqual([JSON.stringify({ url: app.url })]);
      const url = new URL(app.url);
      expect(url.hostname).toBe('127.0.0.1');
      expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(app.cli.stderr()).toContain('the desktop app cannot run here (no display');

      expect((await get(`${url.origin}/`)).status).toBe(401);
      const admitted = await get(app.url);
      expect(admitted.status).toBe(303);
      expect(String(admitted.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);

      // The same supervisor as the tray: the MCP server child writes its runtime file in DAYTONA_TRAY_HOME.
      let info: { pid: number } | undefined;
      const runtimeFile = runtimeFileOf(join(dir.path, 'data'));
      await until(`the MCP server under the app (stderr: ${app.cli.stderr()})`, 30_000, () => {
        try {
          info = JSON.parse(readFileSync(runtimeFile, 'utf8')) as { pid: number };
        } catch {
          return false;
        }
        return descendantsOf(app.cli.child.pid!).includes(info.pid);
      });
      children = descendantsOf(app.cli.child.pid!);
      expect(children).toContain(info!.pid);
    } finally {
      await app.cli.kill('SIGTERM');
    }
    expect(await app.cli.exited).toEqual({ code: 0, signal: null });
    await until('every child of the app to exit', 10_000, () => children.every(processGone));
  });

  // `npm start` on a checkout whose Electron download was blocked (this CI machine): a display, no binary.
  const withDisplay = { ...process.env, DISPLAY: ':99' };
  const binaryMissing = !electronLaunch(REPO_ROOT, withDisplay).ok;
  it(
    'with a display but no Electron binary, says so in one plain line (no stack trace) and runs the web app',
    skipWhen(!binaryMissing && "Electron's binary is installed here, so `app` would start the desktop app"),
    async () => {
      const app = await startWebApp({ ...env, DISPLAY: ':99' }, REPO_ROOT, ['--auto']);
      try {
        expect(app.stdoutLines()).toEqual([JSON.stringify({ url: app.url })]);
        const said = app.cli
          .stderr()
          .split('\n')
          .filter((line) => line.startsWith('daytona-tray:'));
        expect(said).toEqual([
          "daytona-tray: the desktop app cannot run here (Electron's binary is not installed (its download during npm install did not happen or was blocked)), so it runs as a web page in your browser.",
        ]);
        expect(app.cli.stderr()).not.toMatch(/^\s+at /m);
        expect((await get(app.url)).status).toBe(303);
      } finally {
        await app.cli.kill('SIGTERM');
      }
      expect(await app.cli.exited).toEqual({ code: 0, signal: null });
    },
  );
});
