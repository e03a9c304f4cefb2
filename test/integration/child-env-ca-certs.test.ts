import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childBaseEnv } from '../../main/core/supervisor/child-handshake.ts';
import { REPO_ROOT } from '../helpers/paths.ts';

// A private CA (test/fixtures/tls: a CA made for these tests, and a localhost certificate it signed) stands in for a
// corporate proxy's: only a child that gets NODE_EXTRA_CA_CERTS through the children's environment can reach the server.
const TLS = join(REPO_ROOT, 'test', 'fixtures', 'tls');
const CA_FILE = join(TLS, 'ca.pem');

/** Runs a node-mode child with `env` that fetches `url`; resolves with what it printed (the status, or the error's cause). */
function fetchFromChild(url: string, env: NodeJS.ProcessEnv): Promise<string> {
  const script = `fetch(${JSON.stringify(url)}).then((r) => console.log('status', r.status), (e) => console.log('failed', e.cause?.code ?? e.message))`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('close', () => resolve(out.trim()));
  });
}

describe('node-mode children keep NODE_EXTRA_CA_CERTS (corporate proxies)', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer({ key: readFileSync(join(TLS, 'server.key')), cert: readFileSync(join(TLS, 'server.pem')) }, (_req, res) =>
      res.end('ok'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://localhost:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('a child started with the children’s environment trusts the extra CA the app was started with', async () => {
    const env = childBaseEnv({ ...process.env, NODE_EXTRA_CA_CERTS: CA_FILE, DAYTONA_API_KEY: 'dropped' });
    expect(env.NODE_EXTRA_CA_CERTS).toBe(CA_FILE);
    expect(env.ELECTRON_RUN_AS_NODE).toBe('1');
    expect(await fetchFromChild(url, env)).toBe('status 200');
  });

  it('without it the same child cannot reach the server (the check above is not vacuous)', async () => {
    const { NODE_EXTRA_CA_CERTS: _dropped, ...rest } = process.env;
    expect(await fetchFromChild(url, childBaseEnv(rest))).toMatch(
      /^failed (UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/,
    );
  });
});
