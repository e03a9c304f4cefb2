import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Daytona } from '@daytonaio/sdk';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitDaemon, type GitDaemon } from '../helpers/git-daemon.ts';
import { startGitHttpServer } from '../helpers/git-http-server.ts';
import { startTestProviderWithEnv, type TestProvider } from '../helpers/local-provider.ts';
import { ChildStdioTransport, cleanEnv, connectClient, spawnCli, startHttpChild, textOf, type CliChild } from '../helpers/mcp-harness.ts';
import { missingCommandReason, skipWhen } from '../helpers/skip.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

// Scaled clock: progress every 300 ms and hand-off after 2 s stand for the real 5 s and 45 s.
const PROGRESS_MS = 300;
const HANDOFF_MS = 2000;

interface Proc {
  pid: number;
  argv: string[];
  cwd: string;
}

/** Every process on this machine (sandboxed ones too: /proc shows them), with its argv and working directory. */
async function processes(): Promise<Proc[]> {
  const found: Proc[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline) continue;
    found.push({
      pid: Number(entry),
      argv: cmdline.replace(/\0$/, '').split('\0'),
      cwd: await readlink(`/proc/${entry}/cwd`).catch(() => ''),
    });
  }
  return found;
}

/**
 * A TCP relay to `port` that passes the first `limit` bytes of each answer and then holds the rest, so a clone through
 * it stays mid-transfer until it is stopped. `open` counts the connections still open.
 */
async function stallingRelay(port: number, limit: number): Promise<{ port: number; open: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port });
    sockets.add(client).add(upstream);
    let passed = 0;
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      const room = limit - passed;
      if (room > 0) client.write(chunk.subarray(0, room));
      passed += chunk.length;
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    open: () => [...sockets].filter((socket) => !socket.destroyed).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('cancelling git_clone and code_run through the bridge', () => {
  let provider: TestProvider;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: { cli: CliChild };
  let bridge: CliChild;
  let client: Client;
  let daemon: GitDaemon;
  let sandbox = '';

  const call = async (name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: { id: sandbox, ...args } });

  beforeAll(async () => {
    // The git servers listen on the host's loopback, which a sandbox with a network of its own cannot reach
    // (docs/local-sandbox-network.md): these sandboxes share the host's network.
    provider = await startTestProviderWithEnv({ DAYTONA_TRAY_NO_NETNS: '1' });
    dir = await tempDir('daytona-tray-mcp-cancel-');
    const served = join(dir.path, 'served');
    await mkdir(join(served, 'big'), { recursive: true });
    // 12 MB that does not compress: a clone of it takes a while to transfer, and the relay stalls it anyway.
    const git = (...args: string[]) => execFileSync('git', args, { cwd: join(served, 'big'), stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    await writeFile(join(served, 'big', 'blob.bin'), randomBytes(12 * 1024 * 1024));
    git('add', 'blob.bin');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=T', 'commit', '-q', '-m', 'big');
    daemon = await startGitDaemon(served);
    const env = cleanEnv({
      DAYTONA_API_URL: provider.provider.apiUrl,
      DAYTONA_API_KEY: provider.provider.apiKey,
      DAYTONA_TRAY_HOME: dir.path,
      HOME: dir.path,
      DAYTONA_TRAY_MCP_PROGRESS_MS: String(PROGRESS_MS),
      DAYTONA_TRAY_MCP_HANDOFF_MS: String(HANDOFF_MS),
    });
    server = await startHttpChild(env, dir.path, dir.path);
    bridge = spawnCli(['bridge'], cleanEnv({ DAYTONA_TRAY_HOME: dir.path }), dir.path);
    client = await connectClient(new ChildStdioTransport(bridge));
    const created = await client.callTool({ name: 'create_sandbox', arguments: { name: `cancel-${Date.now()}` } });
    expect(created.isError, textOf(created)).toBeFalsy();
    sandbox = (created.structuredContent as { id: string }).id;
  });
  afterAll(async () => {
    await client?.close().catch(() => {});
    await bridge?.kill();
    await server?.cli.kill();
    await daemon?.stop();
    await provider?.stop();
    await dir?.cleanup();
  });

  it("cancelling a clone mid-transfer stops git (no git process, no connection left), removes its folder, and git's progress was the message", async () => {
    const relay = await stallingRelay(daemon.port, 256 * 1024);
    try {
      const folder = `big-${randomInt(100_000, 999_999)}`;
      const url = `git://127.0.0.1:${relay.port}/big`;
      const messages: string[] = [];
      const controller = new AbortController();
      const cloning = client.callTool({ name: 'git_clone', arguments: { id: sandbox, url, path: folder } }, undefined, {
        signal: controller.signal,
        onprogress: (p) => messages.push(p.message ?? ''),
      });
      // git's own progress reaches the client while the transfer is held mid-way.
      await until("git's progress to arrive", 30_000, async () => (messages.some((m) => /objects/i.test(m)) ? true : undefined));
      const ours = (p: Proc) => p.argv[0]?.endsWith('git') && (p.argv.includes(url) || p.cwd.includes(folder));
      expect((await processes()).filter(ours).length).toBeGreaterThan(0);
      controller.abort('changed my mind');
      await expect(cloning).rejects.toThrow();
      await until('the git processes of the clone to end', 5000, async () => ((await processes()).some(ours) ? undefined : true));
      await until("the clone's connection to close", 5000, async () => (relay.open() === 0 ? true : undefined));
      await until('the server to log the cancelled clone', 5000, async () =>
        /git_clone cancelled by the client/.test(server.cli.stderr()) ? true : undefined,
      );
      await until('the folder to be removed', 5000, async () => {
        const info = await call('get_file_info', { filePath: folder });
        return info.isError ? true : undefined;
      });
    } finally {
      await relay.close();
    }
  });

  it('without a progress token a clone still running is handed off with a handle that command_output and command_stop follow', async () => {
    const relay = await stallingRelay(daemon.port, 256 * 1024);
    try {
      const url = `git://127.0.0.1:${relay.port}/big`;
      const folder = `handed-off-${randomInt(100_000, 999_999)}`;
      const started = await call('git_clone', { url, path: folder });
      expect(started.isError, textOf(started)).toBeFalsy();
      expect(started.structuredContent).toMatchObject({ url, path: folder, running: true, handle: expect.any(String) });
      expect(textOf(started)).toMatch(/Still cloning .* so handed off/);
      const handle = (started.structuredContent as { handle: string }).handle;
      const followed = await call('command_output', { handle });
      expect(followed.structuredContent).toMatchObject({ running: true });
      expect((followed.structuredContent as { output: string }).output).toContain(`Cloning into '${folder}'`);
      const ours = (p: Proc) => p.argv[0]?.endsWith('git') && (p.argv.includes(url) || p.cwd.includes(folder));
      expect((await processes()).some(ours)).toBe(true);
      const stopped = await call('command_stop', { handle });
      expect(stopped.isError, textOf(stopped)).toBeFalsy();
      await until('the git processes of the clone to end', 5000, async () => ((await processes()).some(ours) ? undefined : true));
    } finally {
      await relay.close();
    }
  });

  it('a clone with credentials: git gets them, and they are in no command line, session command or session log', async () => {
    const username = 'alice';
    const token = `tok_${randomBytes(16).toString('hex')}`;
    const http = await startGitHttpServer(join(dir.path, 'served'), { username, password: token }, { holdAuthenticated: true });
    const sdk = new Daytona({ apiUrl: provider.provider.apiUrl, apiKey: provider.provider.apiKey });
    try {
      const folder = `private-${randomInt(100_000, 999_999)}`;
      // With progress, so the call waits for the end however long the look below takes.
      const cloning = client.callTool(
        { name: 'git_clone', arguments: { id: sandbox, url: http.url('big'), path: folder, username, password: token } },
        undefined,
        { onprogress: () => {} },
      );
      // While git talks to the server (its authenticated request held there), look everywhere a token could show.
      const early = cloning.then((result) => {
        throw new Error(`the clone ended before its request reached the server: ${textOf(result)}`);
      });
      early.catch(() => {});
      await Promise.race([http.held, early]);
      expect(http.credentials).toContain(`${username}:${token}`);
      const lines = (await processes()).map((p) => p.argv.join(' '));
      expect(lines.some((line) => line.includes(http.url('big')))).toBe(true);
      expect(lines.filter((line) => line.includes(token))).toEqual([]);
      const box = await sdk.get(sandbox);
      const sessions = await box.process.listSessions();
      const commands = sessions.flatMap((session) => (session.commands ?? []).map((command) => ({ session: session.sessionId, command })));
      const clone = commands.find(({ command }) => command.command.includes('clone'));
      expect(clone, JSON.stringify(commands)).toBeDefined();
      for (const { session, command } of commands) {
        expect(command.command).not.toContain(token);
        const logs = await box.process.getSessionCommandLogs(session, command.id);
        expect(`${logs.output}${logs.stdout}${logs.stderr}`).not.toContain(token);
      }
      http.release();
      const result = await cloning;
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(textOf(result)).not.toContain(token);
      const config = await call('execute_command', { command: `cat ${folder}/.git/config; git -C ${folder} log --oneline | wc -l` });
      expect(textOf(config)).toContain(http.url('big'));
      expect(textOf(config)).not.toContain(token);
      // A wrong token is refused with advice, and the token is not repeated back.
      const refused = await call('git_clone', { url: http.url('big'), path: `${folder}-2`, username, password: 'wrong-token' });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toMatch(/refused the credentials/);
      expect(textOf(refused)).not.toContain('wrong-token');
    } finally {
      http.release();
      await sdk[Symbol.asyncDispose]?.();
      await http.stop();
    }
  });

  it(
    'cancelling a long code_run kills its program within 2 s',
    skipWhen(missingCommandReason('python3', 'python3'), 'python3'),
    async () => {
      const word = `loop-${randomInt(100_000, 999_999)}`;
      const controller = new AbortController();
      const running = client.callTool(
        { name: 'code_run', arguments: { id: sandbox, code: 'import time\nwhile True:\n    time.sleep(0.1)\n', argv: [word] } },
        undefined,
        { signal: controller.signal, onprogress: () => {} },
      );
      const program = (p: Proc) => p.argv.includes(word);
      await until('the program to start', 10_000, async () => ((await processes()).some(program) ? true : undefined));
      controller.abort('the user pressed Esc');
      await expect(running).rejects.toThrow();
      await until('the program to die', 2000, async () => ((await processes()).some(program) ? undefined : true));
      // The sandbox still runs code afterwards.
      const after = await call('code_run', { code: 'print(6 * 7)' });
      expect(textOf(after)).toContain('42');
    },
  );
});
