import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, startTestProviderWithEnv, type TestProvider } from '../helpers/local-provider.ts';
import { previewGet, previewStream, previewUpgrade } from '../helpers/preview-request.ts';
import { bubblewrapSkipReason, skipWhen } from '../helpers/skip.ts';

const TOKEN_HEADER = 'x-daytona-preview-token';

/** Runs a shell command in the sandbox through the SDK; returns exit code and combined output. */
async function sh(sandbox: Sandbox, command: string): Promise<{ code: number; out: string }> {
  const response = await sandbox.process.executeCommand(command);
  return { code: response.exitCode, out: response.result.trim() };
}

/**
 * A small server for port 8000 inside a sandbox (the sandbox's own Node): GET / answers `name`; GET /stream
 * sends "first", then "second" only once /release was asked for (so a proxy that buffers would never show
 * "first" alone); an Upgrade request is switched and echoed byte for byte (what a WebSocket proxy must carry).
 */
const SERVER = (name: string) => `
const http = require('node:http');
let release;
const released = new Promise((resolve) => { release = resolve; });
const server = http.createServer((req, res) => {
  if (req.url === '/stream') { res.write('first\\n'); released.then(() => res.end('second\\n')); return; }
  if (req.url === '/release') { release(); res.end('released'); return; }
  res.end(${JSON.stringify(name)} + ' token=' + (req.headers['x-daytona-preview-token'] ?? 'none'));
});
server.on('upgrade', (req, socket) => {
  socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: echo\\r\\nConnection: Upgrade\\r\\n\\r\\n');
  socket.pipe(socket);
});
server.listen(8000, '0.0.0.0');
`;

/**
 * GET `url` from inside the sandbox with the sandbox's Node (curl may not be installed): the body, or
 * `ERR <code>` (exit 1) when the connection fails.
 */
function fetchIn(url: string): string {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(5000) }).then((r) => r.text()).then((t) => console.log(t), (e) => { console.log('ERR', e.cause?.code ?? e.cause?.message ?? e.message); process.exit(1); })`;
  return `node -e '${script.replaceAll("'", "'\\''")}'`;
}

/** Calls `probe` until it returns true (hooks cannot use expect.poll); throws `what` after 15 s. */
async function waitUntil(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function serve(sandbox: Sandbox, name: string): Promise<void> {
  await sandbox.fs.uploadFile(Buffer.from(SERVER(name)), 'server.js');
  const started = await sh(sandbox, 'nohup node server.js > server.log 2>&1 &');
  if (started.code !== 0) throw new Error(`could not start the test server: ${started.out}`);
  await waitUntil(`${name} serving port 8000`, async () => (await sh(sandbox, fetchIn('http://127.0.0.1:8000/'))).out.startsWith(name));
}

/** The sandbox's network interfaces by name, sorted, on one line (no /sys inside a sandbox). */
const INTERFACES = `tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ' '`;

const noBwrap = bubblewrapSkipReason();
const isRoot = process.getuid?.() === 0;
const bwrapSkip = skipWhen(noBwrap, 'bubblewrap');
/** The allow-list tests make their own hosts to allow and block, which takes root (CI runs as root). */
const allowListSkip = noBwrap
  ? bwrapSkip
  : skipWhen(!isRoot && 'needs root: the test makes its own hosts to allow and block (CI runs as root)');

describe('local sandboxes: a network of their own each, previews through the proxy', bwrapSkip, () => {
  let t: TestProvider;
  let a: Sandbox;
  let b: Sandbox;
  let open: Sandbox;
  let hostServer: Server;
  let hostPort: number;

  beforeAll(async () => {
    t = await startTestProvider();
    expect(t.provider.network).toBe('own');
    [a, b, open] = await Promise.all([
      t.daytona.create({ name: 'net-a' }),
      t.daytona.create({ name: 'net-b' }),
      t.daytona.create({ name: 'net-public', public: true }),
    ]);
    await Promise.all([serve(a, 'served-by-a'), serve(b, 'served-by-b'), serve(open, 'served-publicly')]);
    hostServer = createServer((_req, res) => res.end('host-loopback-only'));
    await new Promise<void>((resolve) => hostServer.listen(0, '127.0.0.1', resolve));
    hostPort = (hostServer.address() as AddressInfo).port;
  }, 60_000);
  afterAll(async () => {
    hostServer?.close();
    await t?.stop();
  });

  it('says so in /api/config and labels no sandbox as sharing the network', async () => {
    const config = await (await t.request('/config', { auth: false })).json();
    expect(config.localProvider).toMatchObject({ network: 'own', previewProxy: `http://127.0.0.1:${t.provider.previewPort}` });
    expect(config.localProvider.sharedNetworkBecause).toBeUndefined();
    expect(config.proxyTemplateUrl).toBe(`http://{{PORT}}-{{sandboxId}}.localhost:${t.provider.previewPort}`);
    expect((await t.daytona.get(a.id)).labels['daytona-tray/network']).toBeUndefined();
  });

  it("cannot reach a service on the host's loopback, directly or through slirp4netns's host address", async () => {
    const direct = await sh(a, fetchIn(`http://127.0.0.1:${hostPort}/`));
    expect(direct.code).not.toBe(0);
    expect(direct.out).not.toContain('host-loopback-only');
    const gateway = await sh(a, fetchIn(`http://10.0.2.2:${hostPort}/`));
    expect(gateway.code).not.toBe(0);
    expect(gateway.out).not.toContain('host-loopback-only');
    // The server is there: the host itself reaches it.
    expect(await (await fetch(`http://127.0.0.1:${hostPort}/`)).text()).toBe('host-loopback-only');
  });

  it("two sandboxes serve port 8000 at once; neither reaches the other's except through the proxy", async () => {
    expect((await sh(b, fetchIn('http://127.0.0.1:8000/'))).out).toBe('served-by-b token=none');
    expect((await sh(a, fetchIn('http://127.0.0.1:8000/'))).out).toBe('served-by-a token=none');
    // Nothing of A's listens on the host, where B's traffic to the outside comes from.
    expect((await sh(b, fetchIn('http://10.0.2.2:8000/'))).out).not.toContain('served-by-a');
    const [linkA, linkB] = await Promise.all([a.getPreviewLink(8000), b.getPreviewLink(8000)]);
    expect(linkA.url).not.toBe(linkB.url);
    expect(await previewGet(linkA.url, { [TOKEN_HEADER]: linkA.token })).toEqual({ status: 200, body: 'served-by-a token=none' });
    expect(await previewGet(linkB.url, { [TOKEN_HEADER]: linkB.token })).toEqual({ status: 200, body: 'served-by-b token=none' });
  });

  it('a private preview needs the token header or a signed URL; a public one needs neither; an expired signed URL is refused', async () => {
    const link = await a.getPreviewLink(8000);
    const refused = await previewGet(link.url);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatch(/x-daytona-preview-token/);
    expect((await previewGet(link.url, { [TOKEN_HEADER]: 'wrong' })).status).toBe(401);
    expect((await previewGet(link.url, { [TOKEN_HEADER]: (await b.getPreviewLink(8000)).token })).status).toBe(401);

    const signed = await a.getSignedPreviewUrl(8000, 60);
    expect(signed.url).not.toContain(a.id);
    expect(await previewGet(signed.url)).toEqual({ status: 200, body: 'served-by-a token=none' });
    // Only for the port it was signed for.
    expect((await previewGet(signed.url.replace('//8000-', '//8001-'))).status).toBe(404);
    await a.expireSignedPreviewUrl(8000, signed.token);
    expect((await previewGet(signed.url)).status).toBe(404);

    const publicLink = await open.getPreviewLink(8000);
    expect(await previewGet(publicLink.url)).toEqual({ status: 200, body: 'served-publicly token=none' });
  });

  it('refuses a signed URL once its time is up', async () => {
    let now = Date.now();
    const clocked = await startTestProvider({ now: () => now });
    try {
      const sandbox = await clocked.daytona.create({ name: 'net-signed' });
      await serve(sandbox, 'served-signed');
      const signed = await sandbox.getSignedPreviewUrl(8000, 30);
      expect((await previewGet(signed.url)).status).toBe(200);
      now += 31_000;
      const expired = await previewGet(signed.url);
      expect(expired.status).toBe(403);
      expect(expired.body).toMatch(/expired/);
    } finally {
      await clocked.stop();
    }
  });

  it('streams responses as they come and carries upgraded connections (WebSocket) both ways', async () => {
    const link = await a.getPreviewLink(8000);
    const headers = { [TOKEN_HEADER]: link.token };
    const stream = await previewStream(`${link.url}/stream`, headers);
    stream.setEncoding('utf8');
    const first = await new Promise<string>((resolve) => stream.once('data', resolve));
    expect(first).toBe('first\n');
    expect((await previewGet(`${link.url}/release`, headers)).body).toBe('released');
    let rest = '';
    for await (const chunk of stream) rest += chunk;
    expect(rest).toBe('second\n');

    expect((await previewUpgrade(link.url)).status).toBe(401);
    const upgraded = await previewUpgrade(link.url, headers);
    expect(upgraded.status).toBe(101);
    upgraded.socket!.write('ping-through-the-proxy');
    const echoed = await new Promise<string>((resolve) => upgraded.socket!.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    expect(echoed).toBe('ping-through-the-proxy');
    upgraded.socket!.destroy();
  });

  it('says when nothing listens on the port, and when a request names no preview', async () => {
    const link = await b.getPreviewLink(8123);
    const nothing = await previewGet(link.url, { [TOKEN_HEADER]: link.token });
    expect(nothing.status).toBe(502);
    expect(nothing.body).toMatch(/Nothing listens on port 8123/);
    const stray = await previewGet(`http://127.0.0.1:${t.provider.previewPort}/`);
    expect(stray.status).toBe(400);
  });

  it('block-all leaves only loopback, at once on a running sandbox, and lifting it gives the network back', async () => {
    const sandbox = await t.daytona.create({ name: 'net-block' });
    expect((await sh(sandbox, INTERFACES)).out).toBe('lo tap0');
    await sandbox.updateNetworkSettings({ networkBlockAll: true });
    expect((await sh(sandbox, INTERFACES)).out).toBe('lo');
    expect((await sh(sandbox, 'tail -n +2 /proc/net/route | wc -l')).out).toBe('0');
    // Loopback inside still works.
    await sh(sandbox, `nohup node -e "require('http').createServer((q,r)=>r.end('inside')).listen(8100, '127.0.0.1')" > /dev/null 2>&1 &`);
    await expect
      .poll(async () => (await sh(sandbox, fetchIn('http://127.0.0.1:8100/'))).out, { timeout: 10_000, interval: 100 })
      .toBe('inside');
    expect((await t.daytona.get(sandbox.id)).networkBlockAll).toBe(true);
    await expect(sandbox.getPreviewLink(8100)).rejects.toMatchObject({ statusCode: 409 });
    await sandbox.updateNetworkSettings({ networkBlockAll: false });
    expect((await sh(sandbox, INTERFACES)).out).toBe('lo tap0');
    await sandbox.delete();
  });

  it("the sandbox cannot change its network's rules, not even from a user namespace of its own", async () => {
    const sandbox = await t.daytona.create({ name: 'net-rules', networkAllowList: '192.0.2.1/32' });
    const flush = await sh(sandbox, 'nft flush ruleset 2>&1');
    expect(flush.code).not.toBe(0);
    expect(flush.out).toMatch(/Operation not permitted/);
    const nested = await sh(sandbox, 'unshare --user --map-root-user nft flush ruleset 2>&1');
    expect(nested.code).not.toBe(0);
    expect(nested.out).toMatch(/Operation not permitted/);
    const link = await sh(sandbox, 'unshare --user --map-root-user ip link set tap0 down 2>&1');
    expect(link.code).not.toBe(0);
    // The rule is still there: anything but the allowed address is refused at once.
    const out = await sh(sandbox, fetchIn('http://198.51.100.1/'));
    expect(out).toMatchObject({ code: 1, out: expect.stringMatching(/^ERR (EHOSTUNREACH|ECONNREFUSED|EACCES|EPERM|ENETUNREACH)/) });
    await sandbox.delete();
  });

  it("reaps a sandbox's slirp4netns and port relay when it stops, and all of them when the provider closes", async () => {
    // No warm pool: its sandboxes' own slirp4netns would come and go in the counts below.
    const own = await startTestProvider({ warmPoolSize: 0 });
    const helpers = () => {
      const lines = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout.split('\n');
      return {
        slirp: lines.filter((line) => line.includes('slirp4netns') && line.includes(`--userns-path=/proc/${process.pid}/fd/`)).length,
        relay: lines.filter((line) => line.includes(`${own.dataDir}/run/`)).length,
      };
    };
    const before = helpers();
    try {
      const [one, two] = await Promise.all([own.daytona.create({ name: 'net-reap-1' }), own.daytona.create({ name: 'net-reap-2' })]);
      for (const sandbox of [one, two]) {
        const link = await sandbox.getPreviewLink(8000);
        expect((await previewGet(link.url, { [TOKEN_HEADER]: link.token })).status).toBe(502); // the relay is up; nothing listens
      }
      expect(helpers()).toEqual({ slirp: before.slirp + 2, relay: before.relay + 2 });
      await one.stop();
      expect(helpers()).toEqual({ slirp: before.slirp + 1, relay: before.relay + 1 });
    } finally {
      await own.stop();
    }
    expect(helpers()).toEqual(before);
  });

  it('refuses an allow list that is not IPv4 CIDRs, and a domain allow list', async () => {
    await expect(t.daytona.create({ name: 'net-bad', networkAllowList: '10.0.0.0/33' })).rejects.toMatchObject({ statusCode: 400 });
    await expect(a.updateNetworkSettings({ networkAllowList: 'example.com' })).rejects.toMatchObject({ statusCode: 400 });
    await expect(a.updateNetworkSettings({ domainAllowList: 'example.com' })).rejects.toMatchObject({ statusCode: 400 });
  });
});

/**
 * Two test hosts in a network namespace this test makes (a veth pair to the host's namespace, addresses in a
 * random 10.213.x.0/24), never outside addresses: the sandbox's traffic leaves through slirp4netns as the
 * host's own, so it reaches them the way it would reach the internet. The namespace is the test host process's
 * own (`unshare --net`), reached by its pid: a named one (`ip netns add`) lives on a bind mount under
 * /run/netns, which a fresh machine sets up on first use, and `ip -n` once found it gone there (EINVAL).
 */
describe('local sandboxes: networkAllowList (test hosts of its own)', allowListSkip, () => {
  const subnet = `10.213.${randomInt(0, 255)}`;
  const link = `dtt${process.pid % 100000}`;
  let t: TestProvider;
  let server: ChildProcess | undefined;

  const run = (command: string, args: string[]) => {
    const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr || result.error?.message}`);
  };
  const ip = (...args: string[]) => run('ip', args);

  beforeAll(async () => {
    server = spawn(
      'unshare',
      [
        '--net',
        process.execPath,
        '-e',
        "require('http').createServer((q, r) => r.end('test-host ' + q.socket.localAddress)).listen(8080, '0.0.0.0')",
      ],
      { stdio: 'ignore' },
    );
    const pid = String(server.pid);
    // Until unshare has run, the pid is still in this namespace: configuring "its" namespace would change the host's.
    await waitUntil('the test host in a network namespace of its own', async () => {
      try {
        return readlinkSync(`/proc/${pid}/ns/net`) !== readlinkSync('/proc/self/ns/net');
      } catch {
        return false;
      }
    });
    const inHost = (...args: string[]) => run('nsenter', ['-t', pid, '-n', 'ip', ...args]);
    ip('link', 'add', `${link}h`, 'type', 'veth', 'peer', 'name', `${link}n`);
    ip('link', 'set', `${link}n`, 'netns', pid);
    ip('addr', 'add', `${subnet}.1/24`, 'dev', `${link}h`);
    ip('link', 'set', `${link}h`, 'up');
    for (const host of ['2', '3']) inHost('addr', 'add', `${subnet}.${host}/24`, 'dev', `${link}n`);
    inHost('link', 'set', `${link}n`, 'up');
    inHost('link', 'set', 'lo', 'up');
    await waitUntil(
      'the test host serving',
      async () =>
        (await fetch(`http://${subnet}.2:8080/`).then(
          (r) => r.text(),
          () => '',
        )) === `test-host ${subnet}.2`,
    );
    t = await startTestProvider();
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGKILL');
      await exited;
    }
    // The namespace went with its process, and the veth pair with it; this is for a run stopped half way.
    spawnSync('ip', ['link', 'del', `${link}h`], { timeout: 10_000 });
  });

  it('admits only the listed networks, and a change applies at once to the running sandbox', async () => {
    const sandbox = await t.daytona.create({ name: 'net-allow', networkAllowList: `${subnet}.2/32` });
    const getFrom = async (host: string) => sh(sandbox, fetchIn(`http://${subnet}.${host}:8080/`));
    expect(await getFrom('2')).toEqual({ code: 0, out: `test-host ${subnet}.2` });
    const refused = await getFrom('3');
    expect(refused.code).not.toBe(0);
    expect(refused.out).not.toContain('test-host');

    await sandbox.updateNetworkSettings({ networkAllowList: `${subnet}.3/32` });
    expect((await t.daytona.get(sandbox.id)).networkAllowList).toBe(`${subnet}.3/32`);
    expect((await getFrom('3')).out).toBe(`test-host ${subnet}.3`);
    expect((await getFrom('2')).code).not.toBe(0);

    // Without a list, both; a restart keeps the list.
    await sandbox.updateNetworkSettings({ networkAllowList: `${subnet}.0/24` });
    await sandbox.stop();
    await sandbox.start();
    expect((await getFrom('2')).code).toBe(0);
    expect((await getFrom('3')).code).toBe(0);
    await sandbox.delete();
  });
});

describe('local sandboxes where the host cannot give them their own network (DAYTONA_TRAY_NO_NETNS=1)', bwrapSkip, () => {
  let t: TestProvider;

  beforeAll(async () => {
    t = await startTestProviderWithEnv({ DAYTONA_TRAY_NO_NETNS: '1' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('shares the host network and says so in /api/config and on every sandbox; previews still go through the proxy', async () => {
    expect(t.provider.network).toBe('shared');
    const config = await (await t.request('/config', { auth: false })).json();
    expect(config.localProvider).toMatchObject({
      network: 'shared',
      sharedNetworkBecause: 'a network per sandbox was turned off (DAYTONA_TRAY_NO_NETNS=1)',
    });
    const sandbox = await t.daytona.create({ name: 'net-shared', public: true });
    expect(sandbox.labels['daytona-tray/network']).toBe('shared');
    const port = 20_000 + randomInt(0, 20_000);
    await sh(
      sandbox,
      `nohup node -e "require('http').createServer((q,r)=>r.end('shared-net')).listen(${port}, '127.0.0.1')" > /dev/null 2>&1 &`,
    );
    const link = await sandbox.getPreviewLink(port);
    await expect
      .poll(async () => (await previewGet(link.url).catch(() => ({ body: '' }))).body, { timeout: 10_000, interval: 100 })
      .toBe('shared-net');
    // Refused while it runs (the host's network cannot be changed for one sandbox), with what to do; taken when stopped.
    const refused = await sandbox.updateNetworkSettings({ networkBlockAll: true }).then(
      () => undefined,
      (error: unknown) => error as Error & { statusCode?: number },
    );
    expect(refused?.statusCode).toBe(422);
    expect(refused?.message).toMatch(/cannot change while it runs: it shares this machine's network.*Stop it, update them, then start it/);
    expect((await t.daytona.get(sandbox.id)).networkBlockAll).toBe(false);
    await sandbox.stop();
    await sandbox.updateNetworkSettings({ networkBlockAll: true });
    await sandbox.start();
    expect((await t.daytona.get(sandbox.id)).networkBlockAll).toBe(true);
    expect((await sh(sandbox, INTERFACES)).out).toBe('lo');
    await sandbox.delete();
  });
});
