import { stat } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import {
  cleanEnv,
  connectClient,
  httpTransport,
  runtimeFileOf,
  spawnCli,
  startHttpChild,
  type CliChild,
  type RuntimeInfo,
} from '../helpers/mcp-harness.ts';
import { registerToolScenario, transferFolderIn } from '../helpers/mcp-tool-scenario.ts';
import { externalIPv4 } from '../helpers/network.ts';
import { skipNow } from '../helpers/skip.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
});

/** A raw HTTP request with full control of Host and every other header (fetch would fix Host itself). */
function raw(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: options.path ?? '/mcp',
        headers: options.headers,
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.once('error', reject);
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.end(options.body);
  });
}

const mcpHeaders = (info: RuntimeInfo, extra: Record<string, string> = {}) => ({
  host: `127.0.0.1:${info.port}`,
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  authorization: `Bearer ${info.token}`,
  ...extra,
});

describe('daytona-tray mcp --http, against the local provider', () => {
  let provider: TestProvider;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let env: NodeJS.ProcessEnv;
  let server: { cli: CliChild; info: RuntimeInfo };
  let client: Client;

  beforeAll(async () => {
    provider = await startTestProvider();
    dir = await tempDir('daytona-tray-mcp-http-');
    env = cleanEnv({
      DAYTONA_API_URL: provider.provider.apiUrl,
      DAYTONA_API_KEY: provider.provider.apiKey,
      DAYTONA_TRAY_HOME: dir.path,
      HOME: dir.path,
      HOST: '0.0.0.0',
    });
    server = await startHttpChild(env, dir.path, dir.path);
    client = await connectClient(httpTransport(server.info));
  });
  afterAll(async () => {
    await client?.close().catch(() => {});
    await server?.cli.kill();
    await provider?.stop();
    await dir?.cleanup();
  });

  registerToolScenario('http', () => ({ client, localDir: transferFolderIn(dir.path) }));

  it('writes a runtime file readable by this user only, naming its URL, token and pid', async () => {
    const file = runtimeFileOf(dir.path);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(server.info.url).toBe(`http://127.0.0.1:${server.info.port}/mcp`);
    expect(server.info.pid).toBe(server.cli.child.pid);
    expect(Buffer.from(server.info.token, 'base64url')).toHaveLength(32);
  });

  it('listens on 127.0.0.1 only, even with HOST=0.0.0.0 in its environment', async (ctx) => {
    const refused = (host: string) =>
      new Promise<string>((resolve) => {
        const socket = connect({ host, port: server.info.port });
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
    expect(await refused('127.0.0.1')).toBe('connected');
    // On Linux all of 127/8 reaches this host, so a server bound to 0.0.0.0 (or 127.0.0.0/8) would accept
    // 127.0.0.2: refused there, the bind is 127.0.0.1 alone, with or without another interface.
    if (process.platform === 'linux') expect(await refused('127.0.0.2')).toBe('ECONNREFUSED');
    const external = externalIPv4();
    if (external) expect(await refused(external)).toBe('ECONNREFUSED');
    else if (process.platform !== 'linux')
      skipNow(ctx, 'no non-loopback IPv4 interface, and 127.0.0.2 is not this host outside Linux: nothing to connect to but 127.0.0.1');
  });

  it('cannot be told to bind another address: there is no --host option', async () => {
    const cli = spawnCli(['mcp', '--http', '--host', '0.0.0.0'], env, dir.path);
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr()).toMatch(/Unknown option '--host'/);
  });

  it('answers 401 without the bearer token or with a wrong one', async () => {
    const { info } = server;
    const { authorization: _omit, ...noAuth } = mcpHeaders(info);
    const missing = await raw(info.port, { headers: noAuth, body: INITIALIZE });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    const wrong = await raw(info.port, {
      headers: mcpHeaders(info, { authorization: `Bearer ${info.token.slice(0, -2)}xx` }),
      body: INITIALIZE,
    });
    expect(wrong.status).toBe(401);
    const notBearer = await raw(info.port, { headers: mcpHeaders(info, { authorization: info.token }), body: INITIALIZE });
    expect(notBearer.status).toBe(401);
    expect(wrong.body).not.toContain(info.token);
  });

  it('answers 403 to a foreign Host or a non-loopback Origin, even with the token', async () => {
    const { info } = server;
    const evilHost = await raw(info.port, { headers: mcpHeaders(info, { host: `evil.example:${info.port}` }), body: INITIALIZE });
    expect(evilHost.status).toBe(403);
    const wrongPort = await raw(info.port, { headers: mcpHeaders(info, { host: `127.0.0.1:${info.port + 1}` }), body: INITIALIZE });
    expect(wrongPort.status).toBe(403);
    const evilOrigin = await raw(info.port, { headers: mcpHeaders(info, { origin: 'http://evil.example' }), body: INITIALIZE });
    expect(evilOrigin.status).toBe(403);
    const nullOrigin = await raw(info.port, { headers: mcpHeaders(info, { origin: 'null' }), body: INITIALIZE });
    expect(nullOrigin.status).toBe(403);
    const evilHealth = await raw(info.port, { method: 'GET', path: '/health', headers: { host: `evil.example:${info.port}` } });
    expect(evilHealth.status).toBe(403);
  });

  it('accepts Host localhost:PORT and a loopback Origin', async () => {
    const { info } = server;
    const ok = await raw(info.port, {
      headers: mcpHeaders(info, { host: `localhost:${info.port}`, origin: 'http://localhost:5173' }),
      body: INITIALIZE,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('"protocolVersion"');
  });

  it('answers /health without auth and without details', async () => {
    const health = await raw(server.info.port, { method: 'GET', path: '/health', headers: { host: `127.0.0.1:${server.info.port}` } });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
  });

  it('caps request bodies (413) and rejects unknown sessions (404) and session-less calls (400)', async () => {
    const { info } = server;
    const huge = JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'file_upload', arguments: { content: 'x'.repeat(13 * 1024 * 1024) } },
    });
    expect((await raw(info.port, { headers: mcpHeaders(info, { 'mcp-session-id': 'x' }), body: huge })).status).toBe(413);
    const list = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' });
    const unknown = await raw(info.port, { headers: mcpHeaders(info, { 'mcp-session-id': 'no-such-session' }), body: list });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.message).toMatch(/Session not found.*initialize/);
    expect((await raw(info.port, { headers: mcpHeaders(info), body: list })).status).toBe(400);
  });

  it('refuses to start a second server while this one runs', async () => {
    const second = spawnCli(['mcp', '--http'], env, dir.path);
    expect((await second.exited).code).toBe(1);
    expect(second.stderr()).toContain(`another Daytona MCP server is already running (pid ${server.info.pid}`);
  });

  it('logs without the token or the API key', () => {
    const log = server.cli.stderr();
    expect(log).toContain('refused POST /mcp: wrong bearer token');
    expect(log).not.toContain(server.info.token);
    expect(log).not.toContain(provider.provider.apiKey);
  });

  it('on SIGTERM closes its sessions, disposes the Daytona client, removes the runtime file and exits 0', async () => {
    await server.cli.kill('SIGTERM');
    expect(await server.cli.exited).toEqual({ code: 0, signal: null });
    const log = server.cli.stderr();
    expect(log).toMatch(/session \w+ closed \(server shutting down\)/);
    expect(log).toContain(`closed the Daytona client for ${provider.provider.apiUrl}`);
    await expect(stat(runtimeFileOf(dir.path))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
