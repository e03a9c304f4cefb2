import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { checkApiKey } from '../../main/core/secrets/check-api-key.ts';
import { startTestProvider } from '../helpers/local-provider.ts';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A loopback HTTP server answering every request with `status` (or never, when status is 0). */
async function serve(status: number, seen: IncomingMessage[] = []): Promise<string> {
  server = createServer((req, res) => {
    seen.push(req);
    if (status === 0) return; // hang
    if (status === 302) res.writeHead(302, { location: 'http://127.0.0.1:9/steal' }).end();
    // A 200 answers as Daytona does: a page of the sandbox listing.
    else res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{"items":[],"nextCursor":null}' : '{}');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/api`;
}

describe('checking an API key against the API', () => {
  it('accepts the local provider key and rejects another one with 401 (real provider)', async () => {
    const t = await startTestProvider();
    try {
      expect(await checkApiKey({ apiUrl: t.provider.apiUrl, apiKey: t.provider.apiKey })).toEqual({ ok: true });
      const wrong = await checkApiKey({ apiUrl: t.provider.apiUrl, apiKey: 'dtn_not_it' });
      expect(wrong).toMatchObject({ ok: false, reason: 'rejected' });
      expect(!wrong.ok && wrong.message).toMatch(/^API key rejected by .*\(401\)/);
    } finally {
      await t.stop();
    }
  });

  it('sends GET {apiUrl}/sandbox?limit=1 with the key as a bearer token', async () => {
    const seen: IncomingMessage[] = [];
    const apiUrl = await serve(200, seen);
    expect(await checkApiKey({ apiUrl: `${apiUrl}/`, apiKey: 'dtn_abc' })).toEqual({ ok: true });
    expect(seen.map((req) => [req.method, req.url, req.headers.authorization])).toEqual([
      ['GET', '/api/sandbox?limit=1', 'Bearer dtn_abc'],
    ]);
  });

  it.each([
    [403, 'forbidden', /accepted the key but it may not list sandboxes \(403\)/],
    [404, 'not-found', /No Daytona API at .* \(404 for \/sandbox\)\. Check --api-url/],
    [503, 'server', /answered 503 Service Unavailable\. Try again later/],
  ])('reports %i as %s with what to do', async (status, reason, message) => {
    const result = await checkApiKey({ apiUrl: await serve(status), apiKey: 'dtn_key_123' });
    expect(result).toMatchObject({ ok: false, reason });
    expect(!result.ok && result.message).toMatch(message);
    expect(!result.ok && result.message).not.toContain('dtn_key_123');
  });

  it('does not follow a redirect (the key would travel to wherever it points)', async () => {
    const result = await checkApiKey({ apiUrl: await serve(302), apiKey: 'dtn_key' });
    expect(result).toMatchObject({ ok: false, reason: 'unreachable' });
  });

  it('gives up after its timeout when the API does not answer', async () => {
    const apiUrl = await serve(0);
    const result = await checkApiKey({ apiUrl, apiKey: 'dtn_key', timeoutMs: 300 });
    expect(result).toEqual({
      ok: false,
      reason: 'timeout',
      message: `${apiUrl} did not answer within 0.3 s. Check your network (or --api-url), then try again.`,
    });
  });
});
