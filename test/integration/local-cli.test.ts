import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readlink, readdir } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { cliEnv, runCliToExit, startCliProvider, type CliProvider } from '../helpers/local-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const READY_LINE = /^\{"apiUrl":"http:\/\/127\.0\.0\.1:(\d+)\/api","apiKey":"([^"]+)"\}$/;

function processesMatching(pattern: string): number[] {
  return spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
}

/** Local addresses of the TCP sockets `pid` listens on, read from /proc (IPv4 as a.b.c.d:port, IPv6 as hex). */
async function listeningAddresses(pid: number): Promise<string[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) inodes.add(match[1]!);
  }
  const found: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    const lines = (await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const line of lines) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A' || !inodes.has(cols[9]!)) continue; // 0A = LISTEN
      const [hexAddr, hexPort] = cols[1]!.split(':');
      const port = Number.parseInt(hexPort!, 16);
      if (table === 'tcp') {
        const bytes = hexAddr!
          .match(/../g)!
          .map((b) => Number.parseInt(b, 16))
          .reverse();
        found.push(`${bytes.join('.')}:${port}`);
      } else {
        found.push(`[${hexAddr}]:${port}`);
      }
    }
  }
  return found;
}

describe('daytona-tray local: the CLI contract', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  const running: CliProvider[] = [];
  const start = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const provider = await startCliProvider(args, cliEnv(home.path, extraEnv));
    running.push(provider);
    return provider;
  };

  beforeAll(async () => {
    home = await tempDir('daytona-tray-cli-');
  });
  afterEach(async () => {
    for (const provider of running.splice(0)) await provider.stop('SIGKILL');
  });
  afterAll(async () => {
    await home?.cleanup();
  });

  it('--json prints exactly one line {"apiUrl","apiKey"} and nothing else on stdout, start to finish', async () => {
    const provider = await start(['--data-dir', join(home.path, 'json')]);
    const match = READY_LINE.exec(provider.readyLine);
    expect(match, provider.readyLine).not.toBeNull();
    expect(Object.keys(JSON.parse(provider.readyLine))).toEqual(['apiUrl', 'apiKey']);
    expect(match![2]!.length).toBeGreaterThanOrEqual(32);
    // It serves: an SDK round trip, and an event-driven stop.
    const sandbox = await provider.daytona.create({ name: 'cli-json' });
    expect((await sandbox.process.executeCommand('echo via-cli')).result.trim()).toBe('via-cli');
    await sandbox.stop();
    expect(await provider.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(provider.stdout()).toBe(`${provider.readyLine}\n`);
    // The key is printed once, never logged.
    expect(provider.stderr()).not.toContain(match![2]!);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} exits 0 with every sandbox process reaped and state saved`, async () => {
      const dataDir = join(home.path, `signal-${signal}`);
      const provider = await start(['--data-dir', dataDir]);
      const marker = `cli-marker-${randomUUID()}`;
      const sandbox = await provider.daytona.create({ name: `sig-${signal.toLowerCase()}` });
      await sandbox.process.createSession('bg');
      const command = await sandbox.process.executeSessionCommand('bg', {
        command: `bash -c 'exec -a ${marker} sleep 600'`,
        runAsync: true,
      });
      await expect.poll(() => processesMatching(marker).length, { timeout: 10_000 }).toBe(1);
      // Connections that must not hold the exit up: a followed log stream, and a request half sent.
      const origin = provider.apiUrl.replace(/\/api$/, '');
      const stream = new WebSocket(
        `${origin.replace('http', 'ws')}/toolbox/${sandbox.id}/process/session/bg/command/${command.cmdId}/logs?follow=true`,
        {
          headers: { authorization: `Bearer ${provider.apiKey}` },
        },
      );
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', reject);
      });
      const streamClosed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
      const half = connect(Number(new URL(origin).port), '127.0.0.1');
      half.on('error', () => {});
      await new Promise<void>((resolve) => half.once('connect', () => resolve()));
      half.write('POST /api/sandbox HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{"na');

      expect(await provider.stop(signal)).toEqual({ code: 0, signal: null });
      await streamClosed;
      half.destroy();
      // Reaped before the exit, not afterwards by the kernel: nothing left the moment it is gone.
      expect(processesMatching(marker)).toEqual([]);
      expect(processesMatching(join(dataDir, 'sandboxes'))).toEqual([]);
      const saved = JSON.parse(await readFile(join(dataDir, 'meta', `${sandbox.id}.json`), 'utf8'));
      expect(saved).toMatchObject({ id: sandbox.id, state: 'stopped', desiredState: 'stopped' });
      expect(existsSync(join(dataDir, 'provider.pid'))).toBe(false);
      expect(provider.stderr()).toMatch(new RegExp(`${signal}: stopping sandboxes and saving state`));
    });
  }

  it('listens on 127.0.0.1 only, on the --port asked for', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const provider = await start(['--port', String(port), '--data-dir', join(home.path, 'bind')]);
    expect(provider.apiUrl).toBe(`http://127.0.0.1:${port}/api`);
    // Open a Socket.IO connection and a sandbox too, so every listener the provider makes exists.
    await provider.daytona.create({ name: 'bind-check' });
    // The API and the preview proxy; nothing else, and nothing beyond loopback.
    const listening = await listeningAddresses(provider.child.pid!);
    expect(listening).toContain(`127.0.0.1:${port}`);
    expect(listening).toHaveLength(2);
    expect(listening.every((address) => address.startsWith('127.0.0.1:'))).toBe(true);
  });

  it('says clearly when the port is in use (exit 1)', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runCliToExit(
        ['local', '--json', '--port', String(port), '--data-dir', join(home.path, 'busy')],
        cliEnv(home.path),
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(
        `port ${port} on 127.0.0.1 is already in use. Pick another with --port, or omit --port for any free port.`,
      );
    } finally {
      blocker.close();
    }
  });

  it("refuses a data dir another provider is using, and takes over a dead one's lock", async () => {
    const dataDir = join(home.path, 'shared');
    const owner = await start(['--data-dir', dataDir]);
    const second = await runCliToExit(['local', '--json', '--data-dir', dataDir], cliEnv(home.path));
    expect(second.code).toBe(1);
    expect(second.stdout).toBe('');
    expect(second.stderr).toContain(
      `Another local provider (pid ${owner.child.pid}) is using ${dataDir}: stop it first, or pass a different --data-dir.`,
    );

    expect(await owner.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(existsSync(join(dataDir, 'provider.pid'))).toBe(true); // left behind by the kill
    const next = await start(['--data-dir', dataDir]);
    expect(next.readyLine).toMatch(READY_LINE);
  });

  it('scales lifecycle minutes with DAYTONA_TRAY_LOCAL_MINUTE_MS', async () => {
    const provider = await start(['--data-dir', join(home.path, 'scaled')], { DAYTONA_TRAY_LOCAL_MINUTE_MS: '150' });
    const config = await (await fetch(`${provider.apiUrl}/config`, { signal: AbortSignal.timeout(10_000) })).json();
    expect(config.localProvider.minuteMs).toBe(150);
    const sandbox = await provider.daytona.create({ name: 'scaled', autoStopInterval: 1 });
    await sandbox.waitUntilStopped(15);
    expect((await provider.daytona.get(sandbox.id)).state).toBe('stopped');
  });

  describe('bad usage exits 2 with a message on stderr and nothing on stdout', () => {
    const cases: { args: string[]; env?: Record<string, string>; message: string | RegExp }[] = [
      { args: ['--bogus'], message: "Unknown option '--bogus'" },
      { args: ['--port'], message: "Option '--port <value>' argument missing" },
      { args: ['--port', 'abc'], message: "--port must be an integer from 0 to 65535 (got 'abc')." },
      { args: ['--port', ''], message: "--port must be an integer from 0 to 65535 (got '')." },
      { args: ['--port', '70000'], message: "--port must be an integer from 0 to 65535 (got '70000')." },
      { args: ['--port', '0x50'], message: "--port must be an integer from 0 to 65535 (got '0x50')." },
      { args: ['--data-dir', ''], message: '--data-dir must not be empty.' },
      { args: ['extra'], message: /Unexpected argument 'extra'/ },
      {
        args: [],
        env: { DAYTONA_TRAY_LOCAL_MINUTE_MS: 'soon' },
        message: "DAYTONA_TRAY_LOCAL_MINUTE_MS must be a positive number of milliseconds (got 'soon').",
      },
      {
        args: [],
        env: { DAYTONA_TRAY_LOCAL_MINUTE_MS: '-5' },
        message: "DAYTONA_TRAY_LOCAL_MINUTE_MS must be a positive number of milliseconds (got '-5').",
      },
    ];
    for (const { args, env, message } of cases) {
      it(`local ${args.map((a) => JSON.stringify(a)).join(' ')}${env ? ` with ${JSON.stringify(env)}` : ''}`, async () => {
        const result = await runCliToExit(['local', '--json', ...args], cliEnv(home.path, env));
        expect(result.code).toBe(2);
        expect(result.stdout).toBe('');
        if (typeof message === 'string') expect(result.stderr).toContain(`daytona-tray local: ${message}`);
        else expect(result.stderr).toMatch(message);
      });
    }

    it('--help prints the usage on stdout and exits 0', async () => {
      const result = await runCliToExit(['local', '--help'], cliEnv(home.path));
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: daytona-tray local \[--port N\] \[--data-dir DIR\] \[--json\]/);
    });
  });
});
