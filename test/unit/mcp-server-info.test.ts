import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { keyProof } from '../../main/core/shared-server-info.ts';
import { SERVER_INFO_PATH, startHttpServer, type HttpMcpServer } from '../../main/mcp/http-transport.ts';
import { createLogger } from '../../main/mcp/log.ts';
import { envProfileSource } from '../../main/mcp/profile-source.ts';
import { describeSharedServer } from '../../main/mcp/shared-info.ts';

const API_KEY = `dtn_${'k'.repeat(40)}`;
const NONCE = 'n'.repeat(24);

async function serve(shared: boolean): Promise<HttpMcpServer> {
  const profiles = envProfileSource({ DAYTONA_API_URL: 'http://127.0.0.1:9/api', DAYTONA_API_KEY: API_KEY });
  const holder: { server?: HttpMcpServer } = {};
  holder.server = await startHttpServer({
    createSession: () => new McpServer({ name: 'test', version: '1' }),
    log: createLogger({ name: 'mcp', write: () => {} }),
    ...(shared
      ? { describe: describeSharedServer({ profiles, groups: ['sandbox', 'git'], sessions: () => holder.server!.sessionCount() }) }
      : {}),
  });
  return holder.server;
}

function info(server: HttpMcpServer, query = `?nonce=${NONCE}`, token: string | null = server.token) {
  return fetch(`http://127.0.0.1:${server.port}${SERVER_INFO_PATH}${query}`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5000),
  });
}

describe('a shared server tells a tray what it serves (GET /server-info), to its token holder only', () => {
  let server: HttpMcpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers its profile, groups and sessions, with a keyed proof of its API key instead of the key', async () => {
    server = await serve(true);
    const response = await info(server);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(API_KEY);
    expect(JSON.parse(text)).toEqual({
      pid: process.pid,
      sessions: 0,
      groups: ['sandbox', 'git'],
      profile: { name: 'env', kind: 'cloud', apiUrl: 'http://127.0.0.1:9/api', keyProof: keyProof(NONCE, API_KEY) },
    });
    // The proof depends on the caller's nonce: an answer seen once says nothing about the next.
    expect(keyProof(NONCE, API_KEY)).not.toBe(keyProof('m'.repeat(24), API_KEY));
    expect(keyProof(NONCE, API_KEY)).not.toBe(keyProof(NONCE, `${API_KEY}x`));
  });

  it('refuses without the bearer token (401) and without a nonce (400)', async () => {
    server = await serve(true);
    expect((await info(server, `?nonce=${NONCE}`, null)).status).toBe(401);
    expect((await info(server, `?nonce=${NONCE}`, 'x'.repeat(43))).status).toBe(401);
    expect((await info(server, '')).status).toBe(400);
    expect((await info(server, '?nonce=short')).status).toBe(400);
  });

  it('is not there on a server that is not shared (the tray’s own)', async () => {
    server = await serve(false);
    expect((await info(server)).status).toBe(404);
  });
});
