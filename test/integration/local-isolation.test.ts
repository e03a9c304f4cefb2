import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBubblewrap } from '../../main/local/sandbox-runner.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';

const bwrap = findBubblewrap();
if (!bwrap) console.warn('local-isolation: bubblewrap is missing or cannot create namespaces here, so the isolation tests are skipped');

/** Host pids whose command line contains `pattern`. */
function processesMatching(pattern: string): number[] {
  return spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
}

/** Runs a shell command in the sandbox through the SDK; returns exit code and combined output. */
async function sh(sandbox: Sandbox, command: string): Promise<{ code: number; out: string }> {
  const response = await sandbox.process.executeCommand(command);
  return { code: response.exitCode, out: response.result.trim() };
}

describe.skipIf(!bwrap)('local provider isolation under bubblewrap (skipped when bwrap is unusable)', () => {
  let t: TestProvider;
  let a: Sandbox;
  let b: Sandbox;
  let blocked: Sandbox;
  let server: Server;
  let port: number;
  const hostDirs: string[] = [];

  beforeAll(async () => {
    t = await startTestProvider();
    expect(t.provider.isolation).toBe('bubblewrap');
    [a, b, blocked] = await Promise.all([
      t.daytona.create({ name: 'iso-a' }),
      t.daytona.create({ name: 'iso-b' }),
      t.daytona.create({ name: 'iso-blocked', networkBlockAll: true }),
    ]);
    server = createServer((_req, res) => res.end('hello-from-the-host'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server?.close();
    await t?.stop();
    for (const dir of hostDirs) await rm(dir, { recursive: true, force: true });
  });

  it("cannot read another sandbox's files, nor anything under the data dir", async () => {
    expect(await sh(b, 'echo secret-of-b > ~/secret.txt && echo tmp-of-b > /tmp/b-tmp.txt && cat ~/secret.txt')).toEqual({ code: 0, out: 'secret-of-b' });
    const bHome = t.provider.service.dirsOf(b.id).home;
    const bTmp = t.provider.service.dirsOf(b.id).tmp;

    const byHostPath = await sh(a, `cat ${bHome}/secret.txt`);
    expect(byHostPath.code).not.toBe(0);
    expect(byHostPath.out).toMatch(/No such file or directory/);
    expect((await sh(a, `ls ${t.dataDir}`)).code).not.toBe(0);
    expect((await sh(a, `cat ${bTmp}/b-tmp.txt`)).code).not.toBe(0);
    // Its own /tmp and /home hold only its own things.
    expect((await sh(a, 'test -e /tmp/b-tmp.txt')).code).toBe(1);
    expect(await sh(a, 'ls -A /home')).toEqual({ code: 0, out: 'daytona' });
    expect((await sh(a, 'grep -rs secret-of-b /home /tmp /run; echo done')).out).toBe('done');
    // Own pid namespace: none of the host's (or B's) processes are visible.
    const pids = (await sh(a, "ls /proc | grep -E '^[0-9]+$' | wc -l")).out;
    expect(Number(pids)).toBeLessThan(10);
  });

  it("does not see the host's home or the host's /tmp", async () => {
    const inTmp = await mkdtemp(join(tmpdir(), 'daytona-tray-iso-'));
    const inHome = await mkdtemp(join(homedir(), '.daytona-tray-iso-'));
    hostDirs.push(inTmp, inHome);
    await writeFile(join(inTmp, 'marker.txt'), 'host-tmp-marker');
    await writeFile(join(inHome, 'marker.txt'), 'host-home-marker');
    for (const marker of [join(inTmp, 'marker.txt'), join(inHome, 'marker.txt')]) {
      const result = await sh(a, `cat ${marker}`);
      expect(result.code, marker).not.toBe(0);
      expect(result.out).toMatch(/No such file or directory/);
      expect(result.out).not.toMatch(/host-(tmp|home)-marker/);
    }
    // HOME is the sandbox's own, not the host user's.
    expect(await sh(a, 'echo $HOME; pwd')).toEqual({ code: 0, out: '/home/daytona\n/home/daytona' });
  });

  it('has read-only system directories and no readable host secrets in /etc', async () => {
    const usr = await sh(a, 'touch /usr/daytona-tray-probe');
    expect(usr.code).not.toBe(0);
    expect(usr.out).toMatch(/Read-only file system/);
    const etc = await sh(a, 'echo x > /etc/daytona-tray-probe');
    expect(etc.code).not.toBe(0);
    expect(etc.out).toMatch(/Read-only file system/);
    // /etc/shadow is unreadable or masked empty, even when the provider runs as root.
    expect((await sh(a, 'cat /etc/shadow 2>/dev/null')).out).not.toMatch(/root:/);
  });

  it('carries no "not isolated" flag, and a caller cannot set one', async () => {
    expect(a.labels['daytona-tray/isolation']).toBeUndefined();
    const forged = await t.daytona.create({ name: 'iso-forged', labels: { 'daytona-tray/isolation': 'none', app: 'x' } });
    expect(forged.labels).toEqual({ app: 'x', 'code-toolbox-language': 'python' });
    const config = await (await t.request('/config', { auth: false })).json();
    expect(config.localProvider).toMatchObject({ isolation: 'bubblewrap', isolated: true });
  });

  it('runs as uid 1000 "daytona" with the sandbox\'s own hostname', async () => {
    expect(await sh(a, 'id -u; id -un; id -g')).toEqual({ code: 0, out: '1000\ndaytona\n1000' });
    expect(await sh(a, 'uname -n')).toEqual({ code: 0, out: 'iso-a' });
    expect(await sh(b, 'uname -n')).toEqual({ code: 0, out: 'iso-b' });
  });

  it('stop ends every process the sandbox started before it reports stopped', async () => {
    const sandbox = await t.daytona.create({ name: 'iso-stop' });
    const marker = `iso-stop-${sandbox.id}`;
    await sandbox.process.createSession('s');
    // A child that ignores SIGTERM, and a grandchild in its own session: the namespace takes both down.
    await sandbox.process.executeSessionCommand('s', { command: `bash -c "trap '' TERM; exec -a ${marker}-1 sleep 300"`, runAsync: true });
    await sandbox.process.createSession('s2');
    await sandbox.process.executeSessionCommand('s2', { command: `setsid bash -c 'exec -a ${marker}-2 sleep 300' < /dev/null > /dev/null 2>&1 &`, runAsync: true });
    await expect.poll(() => processesMatching(marker).length, { timeout: 10_000 }).toBe(2);
    await sandbox.stop();
    expect(sandbox.state).toBe('stopped');
    expect(processesMatching(marker)).toEqual([]);
  });

  it('reaches a loopback server on the host without networkBlockAll, and cannot with it', async () => {
    const probe = `python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:${port}/', timeout=5).read().decode())"`;
    expect(await sh(a, probe)).toEqual({ code: 0, out: 'hello-from-the-host' });
    const cut = await sh(blocked, probe);
    expect(cut.code).not.toBe(0);
    expect(cut.out).toMatch(/Connection refused|Network is unreachable|URLError/);
    expect(cut.out).not.toContain('hello-from-the-host');
    // Only a loopback interface exists inside.
    expect((await sh(blocked, 'ls /sys/class/net 2>/dev/null || cat /proc/net/dev')).out).not.toMatch(/eth|ens|enp|wlan/);
  });
});

describe('local provider without bubblewrap (DAYTONA_TRAY_NO_BWRAP=1)', () => {
  let t: TestProvider;

  beforeAll(async () => {
    // findBubblewrap reads the variable when the provider starts; restore it right after.
    const previous = process.env.DAYTONA_TRAY_NO_BWRAP;
    process.env.DAYTONA_TRAY_NO_BWRAP = '1';
    try {
      t = await startTestProvider();
    } finally {
      if (previous === undefined) delete process.env.DAYTONA_TRAY_NO_BWRAP;
      else process.env.DAYTONA_TRAY_NO_BWRAP = previous;
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('flags every sandbox and /api/config as not isolated, and still runs commands', async () => {
    expect(t.provider.isolation).toBe('none');
    const config = await (await t.request('/config', { auth: false })).json();
    expect(config.localProvider).toMatchObject({ isolation: 'none', isolated: false });

    const sandbox = await t.daytona.create({ name: 'plain', labels: { app: 'x' } });
    expect(sandbox.labels).toMatchObject({ app: 'x', 'daytona-tray/isolation': 'none' });
    expect((await t.daytona.get(sandbox.id)).labels['daytona-tray/isolation']).toBe('none');
    // Replacing labels keeps the flag, and cannot forge it: it is the provider's, not the user's.
    await sandbox.setLabels({ team: 'a', 'daytona-tray/isolation': 'bubblewrap' });
    expect((await t.daytona.get(sandbox.id)).labels).toEqual({ team: 'a', 'daytona-tray/isolation': 'none' });

    const result = await sandbox.process.executeCommand('echo plain-$((6*7)); pwd');
    expect(result.exitCode).toBe(0);
    expect(result.result.trim().split('\n')).toEqual(['plain-42', t.provider.service.dirsOf(sandbox.id).home]);
  });
});
