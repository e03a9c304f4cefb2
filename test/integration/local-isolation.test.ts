import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBubblewrap } from '../../main/local/sandbox-runner/index.ts';
import { previewGet } from '../helpers/preview-request.ts';
import { startPlainTestProvider, startTestProvider, startTestProviderWithEnv, type TestProvider } from '../helpers/local-provider.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { bubblewrapSkipReason, missingCommandReason, skipWhen } from '../helpers/skip.ts';

const bwrap = findBubblewrap();
const noBwrap = bubblewrapSkipReason();

/** Host pids whose command line contains `pattern`. */
function processesMatching(pattern: string): number[] {
  return spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
}

/** The pid namespace of a host process (as `readlink /proc/self/ns/pid` says inside it), if it still runs. */
function pidNamespaceOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/** A `sleep` whose argument is unique, e.g. `sleep 300.123456`, and a pgrep pattern matching that process only. */
function uniqueSleep(seconds: number) {
  const arg = `${seconds}.${randomInt(100_000, 999_999)}`;
  return { command: `sleep ${arg}`, pattern: `^sleep ${arg.replace('.', '\\.')}$` };
}

/** Every host process's command line (what `ps` shows to anyone on the machine). */
function hostCommandLines(): string[] {
  const lines: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      lines.push(readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      // exited meanwhile
    }
  }
  return lines;
}

/** A TCP port free on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The body served at `url`, or the error's message when nothing answers. */
async function fetchText(url: string): Promise<string> {
  try {
    return await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
  } catch (error) {
    return `unreachable: ${(error as Error).message}`;
  }
}

const noPython = missingCommandReason('python3', 'apt-get install python3');

/** Runs a shell command in the sandbox through the SDK; returns exit code and combined output. */
async function sh(sandbox: Sandbox, command: string): Promise<{ code: number; out: string }> {
  const response = await sandbox.process.executeCommand(command);
  return { code: response.exitCode, out: response.result.trim() };
}

describe('local provider isolation under bubblewrap', skipWhen(noBwrap, 'bubblewrap'), () => {
  let t: TestProvider;
  let a: Sandbox;
  let b: Sandbox;
  let blocked: Sandbox;
  let server: Server;
  let port: number;
  const hostDirs: string[] = [];

  const logs: string[] = [];

  beforeAll(async () => {
    t = await startTestProvider({ log: (line) => logs.push(line) });
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
    expect(await sh(b, 'echo secret-of-b > ~/secret.txt && echo tmp-of-b > /tmp/b-tmp.txt && cat ~/secret.txt')).toEqual({
      code: 0,
      out: 'secret-of-b',
    });
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
    // Its /tmp is its own, world-writable and sticky like a real /tmp, whatever the provider's umask.
    expect(await sh(a, 'stat -c %a /tmp')).toEqual({ code: 0, out: '1777' });
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
    await sandbox.process.executeSessionCommand('s2', {
      command: `setsid bash -c 'exec -a ${marker}-2 sleep 300' < /dev/null > /dev/null 2>&1 &`,
      runAsync: true,
    });
    await expect.poll(() => processesMatching(marker).length, { timeout: 10_000 }).toBe(2);
    await sandbox.stop();
    expect(sandbox.state).toBe('stopped');
    expect(processesMatching(marker)).toEqual([]);
  });

  it('keeps a background server started with executeCommand serving until the sandbox stops', skipWhen(noPython, 'python3'), async () => {
    const sandbox = await t.daytona.create({ name: 'iso-server' });
    const port = await freePort();
    expect(await sh(sandbox, 'echo served-from-the-sandbox > index.txt')).toEqual({ code: 0, out: '' });
    const started = await sh(sandbox, `python3 -m http.server ${port} --bind 127.0.0.1 > /dev/null 2>&1 &`);
    expect(started).toEqual({ code: 0, out: '' });
    // The command has returned; its job still answers, through the preview proxy (the sandbox has a network of its own).
    const link = await sandbox.getPreviewLink(port);
    const served = () =>
      previewGet(`${link.url}/index.txt`, { 'x-daytona-preview-token': link.token }).then(
        (r) => r.body,
        (error: Error) => `unreachable: ${error.message}`,
      );
    await expect.poll(served, { timeout: 15_000, interval: 100 }).toBe('served-from-the-sandbox\n');
    // A later command runs in the same pid namespace and sees it.
    const seen = await sh(sandbox, `pgrep -f "http.server ${port}"`);
    expect(seen.code).toBe(0);
    expect(Number(seen.out)).toBeGreaterThan(1);
    expect(processesMatching(`http.server ${port}`)).toHaveLength(1);

    await sandbox.stop();
    expect(processesMatching(`http.server ${port}`)).toEqual([]);
    expect(await served()).toMatch(/is stopped: start it first/);
    await sandbox.start();
    expect((await sh(sandbox, `pgrep -f "http.server ${port}"`)).code).toBe(1);
    await sandbox.delete();
  });

  it('replies once the command exits, even when a background job keeps its output pipes open', async () => {
    const sandbox = await t.daytona.create({ name: 'iso-open-pipes' });
    const job = uniqueSleep(300);
    // No redirection: the job inherits the command's stdout and stderr, which stay open while it runs.
    expect(await sh(sandbox, `echo before; ${job.command} & echo after`)).toEqual({ code: 0, out: 'before\nafter' });
    // The shell answers once it forked the job, which may not have exec'd its program yet.
    await expect.poll(() => processesMatching(job.pattern), { timeout: 10_000 }).toHaveLength(1);
    expect((await sh(sandbox, `pgrep -f '${job.pattern}'`)).code).toBe(0);
    await sandbox.delete();
    await expect.poll(() => processesMatching(job.pattern), { timeout: 10_000 }).toEqual([]);
  });

  it("a timed-out command's tree is killed; an earlier background job lives on", async () => {
    const sandbox = await t.daytona.create({ name: 'iso-timeout' });
    const earlier = uniqueSleep(300);
    const [first, second] = [uniqueSleep(301), uniqueSleep(302)];
    expect((await sh(sandbox, `${earlier.command} > /dev/null 2>&1 &`)).code).toBe(0);
    const timedOut = await sandbox.process
      .executeCommand(`sh -c "${first.command} & setsid ${second.command}"`, undefined, undefined, 1)
      .catch((e: unknown) => e);
    expect(timedOut).toMatchObject({ statusCode: 408, code: 'PROCESS_EXECUTION_TIMEOUT' });
    await expect.poll(() => [...processesMatching(first.pattern), ...processesMatching(second.pattern)], { timeout: 10_000 }).toEqual([]);
    expect(processesMatching(earlier.pattern)).toHaveLength(1);
    expect((await sh(sandbox, `pgrep -f '${earlier.pattern}' > /dev/null && echo alive`)).out).toBe('alive');
    await sandbox.delete();
    await expect.poll(() => processesMatching(earlier.pattern), { timeout: 10_000 }).toEqual([]);
  });

  it('never puts a sandbox env value or a command env value on a host command line', async () => {
    const sandboxSecret = `sbx-${randomBytes(12).toString('hex')}`;
    const commandSecret = `cmd-${randomBytes(12).toString('hex')}`;
    const sandbox = await t.daytona.create({ name: 'iso-env', envVars: { API_TOKEN: sandboxSecret } });
    const job = uniqueSleep(300);
    // A foreground command and a background job that both carry the values in their environment.
    const running = sandbox.process.executeCommand(`${job.command} > /dev/null 2>&1 & sleep 2; echo "$API_TOKEN $CMD_TOKEN"`, undefined, {
      CMD_TOKEN: commandSecret,
    });
    await expect.poll(() => processesMatching(job.pattern).length, { timeout: 10_000 }).toBe(1);
    const [jobPid] = processesMatching(job.pattern);
    // The values did reach the job, through its environment (readable only by its owner).
    const environ = readFileSync(`/proc/${jobPid}/environ`, 'utf8').split('\0');
    expect(environ).toEqual(expect.arrayContaining([`API_TOKEN=${sandboxSecret}`, `CMD_TOKEN=${commandSecret}`]));
    const lines = hostCommandLines();
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.filter((line) => line.includes(sandboxSecret) || line.includes(commandSecret))).toEqual([]);
    expect((await running).result.trim()).toBe(`${sandboxSecret} ${commandSecret}`);
    // Session shells get the sandbox env the same way.
    await sandbox.process.createSession('env');
    expect((await sandbox.process.executeSessionCommand('env', { command: 'echo "$API_TOKEN"' })).stdout?.trim()).toBe(sandboxSecret);
    expect(hostCommandLines().filter((line) => line.includes(sandboxSecret))).toEqual([]);
    await sandbox.delete();
  });

  it("starts the sandbox's processes again on the next command when they were killed from outside", async () => {
    const sandbox = await t.daytona.create({ name: 'iso-revive' });
    const job = uniqueSleep(300);
    expect((await sh(sandbox, `${job.command} > /dev/null 2>&1 &`)).code).toBe(0);
    // The shell answers once it forked the job, which may not have exec'd its program yet.
    await expect.poll(() => processesMatching(job.pattern), { timeout: 10_000 }).toHaveLength(1);
    // What the OOM killer or a `kill -9` by hand would do: the sandbox's namespace holders die.
    // bwrap's pid 1 in the sandbox's pid namespace (a warm pool's sandbox was started on other dirs' names).
    const ns = (await sh(sandbox, 'readlink /proc/self/ns/pid')).out;
    const holders = processesMatching('^/usr/bin/bwrap ').filter((pid) => pidNamespaceOf(pid) === ns);
    expect(holders.length).toBeGreaterThan(0);
    for (const pid of holders) process.kill(pid, 'SIGKILL');
    await expect.poll(() => processesMatching(job.pattern), { timeout: 10_000 }).toEqual([]);
    // Once the provider has noticed (a command sent in the instant before that can still meet the dying agent).
    await expect
      .poll(() => logs.some((line) => line.includes(sandbox.id) && line.includes('ended unexpectedly')), { timeout: 10_000 })
      .toBe(true);

    expect(await sh(sandbox, `echo back; pgrep -f '${job.pattern}'`)).toEqual({ code: 1, out: 'back' });
    expect((await t.daytona.get(sandbox.id)).state).toBe('started');
    // The provider's log says what happened.
    expect(logs.filter((line) => line.includes(sandbox.id))).toEqual([
      expect.stringMatching(/its processes ended unexpectedly .*the next command starts them again/),
      expect.stringMatching(/starting its processes again for the next command/),
    ]);
    const revived = (await sh(sandbox, 'readlink /proc/self/ns/pid')).out;
    expect(revived).not.toBe(ns);
    expect(processesMatching('^/usr/bin/bwrap ').filter((pid) => pidNamespaceOf(pid) === revived).length).toBeGreaterThan(0);
    expect((await sh(sandbox, 'echo "$(hostname) $(id -un)"')).out).toBe('iso-revive daytona');
    await sandbox.delete();
  });

  it("cannot reach a server on the host's loopback, with or without networkBlockAll", async () => {
    const probe = `python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:${port}/', timeout=5).read().decode())"`;
    const own = await sh(a, probe);
    expect(own.code).not.toBe(0);
    expect(own.out).toMatch(/Connection refused/);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe('hello-from-the-host');
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
    t = await startPlainTestProvider();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('flags every sandbox and /api/config as not isolated, and still runs commands', async () => {
    expect(t.provider.isolation).toBe('none');
    const config = await (await t.request('/config', { auth: false })).json();
    expect(config.localProvider).toMatchObject({
      isolation: 'none',
      isolated: false,
      notIsolatedBecause: 'isolation was turned off (DAYTONA_TRAY_NO_BWRAP=1)',
    });

    const sandbox = await t.daytona.create({ name: 'plain', labels: { app: 'x' } });
    expect(sandbox.labels).toMatchObject({ app: 'x', 'daytona-tray/isolation': 'none' });
    expect((await t.daytona.get(sandbox.id)).labels['daytona-tray/isolation']).toBe('none');
    // Replacing labels keeps the flag, and cannot forge it: it is the provider's, not the user's.
    await sandbox.setLabels({ team: 'a', 'daytona-tray/isolation': 'bubblewrap', 'daytona-tray/network': 'own' });
    expect((await t.daytona.get(sandbox.id)).labels).toEqual({
      team: 'a',
      'daytona-tray/isolation': 'none',
      'daytona-tray/network': 'shared',
    });

    const result = await sandbox.process.executeCommand('echo plain-$((6*7)); pwd');
    expect(result.exitCode).toBe(0);
    expect(result.result.trim().split('\n')).toEqual(['plain-42', t.provider.service.dirsOf(sandbox.id).home]);
  });

  it('keeps a background job after its command returned, and ends it when the sandbox stops', async () => {
    const sandbox = await t.daytona.create({ name: 'plain-bg' });
    const job = uniqueSleep(300);
    expect(await sh(sandbox, `echo started; ${job.command} &`)).toEqual({ code: 0, out: 'started' });
    // The shell answers once it forked the job, which may not have exec'd its program yet.
    await expect.poll(() => processesMatching(job.pattern), { timeout: 10_000 }).toHaveLength(1);
    // It stays through later commands, and a timed-out command's tree goes without taking it along.
    const other = uniqueSleep(301);
    await expect(sandbox.process.executeCommand(`sh -c "${other.command}"`, undefined, undefined, 1)).rejects.toMatchObject({
      statusCode: 408,
    });
    await expect.poll(() => processesMatching(other.pattern), { timeout: 10_000 }).toEqual([]);
    expect(processesMatching(job.pattern)).toHaveLength(1);
    await sandbox.stop();
    expect(processesMatching(job.pattern)).toEqual([]);
  });
});

/**
 * The provider usually runs as an ordinary user, where joining a sandbox's namespaces has rules root
 * skips. When these tests run as root, the built runner also runs as `nobody` (uid 65534) through setpriv,
 * with a Node binary that user can execute.
 */
const NOBODY = 65534;
function nodeForNobody(): string | undefined {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/setpriv')) return undefined;
  return [process.execPath, '/usr/bin/node', '/usr/local/bin/node'].find(
    (node) =>
      existsSync(node) &&
      // setpriv may still find a binary nobody cannot reach (it resolves the path before dropping privileges);
      // the runner binds it into each sandbox as nobody, so nobody must be able to reach it.
      spawnSync(
        '/usr/bin/setpriv',
        [
          `--reuid=${NOBODY}`,
          `--regid=${NOBODY}`,
          '--clear-groups',
          '--inh-caps=-all',
          node,
          '-e',
          'require("node:fs").accessSync(process.execPath, 1)',
        ],
        { timeout: 10_000 },
      ).status === 0,
  );
}
const unprivilegedNode = bwrap ? nodeForNobody() : undefined;

describe(
  'sandbox runner as an unprivileged user (nobody, via setpriv)',
  skipWhen(
    noBwrap ??
      (!unprivilegedNode && 'the unprivileged runner test needs root, /usr/bin/setpriv and a Node binary the user nobody can execute'),
    noBwrap ? 'bubblewrap' : undefined,
  ),
  () => {
    let dir: { path: string; cleanup: () => Promise<void> };
    beforeAll(async () => {
      dir = await tempDir('daytona-tray-nobody-');
      chmodSync(dir.path, 0o755);
      for (const sub of ['a/home', 'a/tmp', 'b/home', 'b/tmp', 'etc']) await mkdir(join(dir.path, sub), { recursive: true });
      for (const sub of ['', 'a', 'a/home', 'a/tmp', 'b', 'b/home', 'b/tmp', 'etc']) await chown(join(dir.path, sub), NOBODY, NOBODY);
    });
    afterAll(async () => {
      await dir?.cleanup();
    });

    it.each(['nested', 'flat'])(
      '%s layout: starts sandboxes, runs commands as daytona in them, keeps background jobs until stop, blocks the network',
      (layout) => {
        const job = uniqueSleep(300);
        const script = `
      const { createSandboxRunner } = await import(${JSON.stringify(new URL('out/main/local/sandbox-runner/index.js', `file://${REPO_ROOT}/`).href)});
      const dir = ${JSON.stringify(dir.path)};
      const runner = await createSandboxRunner(dir + '/etc');
      const run = (sandbox, command) => new Promise((resolve) => {
        const child = sandbox.spawn(['/bin/sh', '-c', command], { cwd: '/home/daytona', env: { FROM_ENV: 'env-value' } });
        let out = '';
        child.stdout.on('data', (chunk) => { out += chunk; });
        child.stderr.on('data', (chunk) => { out += chunk; });
        child.on('close', (code) => resolve({ code, out: out.trim() }));
      });
      const a = await runner.start({ dirs: { home: dir + '/a/home', tmp: dir + '/a/tmp' }, hostname: 'nobody-a', network: { blockAll: false } });
      const b = await runner.start({ dirs: { home: dir + '/b/home', tmp: dir + '/b/tmp' }, hostname: 'nobody-b', network: { blockAll: true } });
      const result = {
        isolation: runner.isolation,
        who: await run(a, 'echo "$(id -u) $(id -un) $(uname -n) $FROM_ENV $(pwd)"'),
        usr: await run(a, 'touch /usr/daytona-tray-probe'),
        pts: await run(a, 'test -e /dev/pts/ptmx'),
        started: await run(a, ${JSON.stringify(`${job.command} > /dev/null 2>&1 &`)}),
        seen: await run(a, ${JSON.stringify(`pgrep -f '${job.pattern}' | wc -l`)}),
        otherSees: await run(b, ${JSON.stringify(`pgrep -f '${job.pattern}' | wc -l`)}),
        net: await run(b, 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "'),
      };
      await a.stop(2000); // SIGTERM first: the namespace's processes, found from outside
      await b.stop(0);
      result.aliveAfterStop = a.alive || b.alive;
      process.stdout.write(JSON.stringify(result));
    `;
        const child = spawnSync(
          '/usr/bin/setpriv',
          [
            `--reuid=${NOBODY}`,
            `--regid=${NOBODY}`,
            '--clear-groups',
            '--inh-caps=-all',
            unprivilegedNode!,
            '--input-type=module',
            '-e',
            script,
          ],
          {
            cwd: dir.path,
            encoding: 'utf8',
            timeout: 60_000,
            env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DAYTONA_TRAY_BWRAP_LAYOUT: layout },
          },
        );
        expect(child.stderr).toBe('');
        const result = JSON.parse(child.stdout);
        expect(result).toMatchObject({
          isolation: 'bubblewrap',
          who: { code: 0, out: '1000 daytona nobody-a env-value /home/daytona' },
          started: { code: 0, out: '' },
          seen: { code: 0, out: '1' },
          otherSees: { code: 0, out: '0' },
          net: { code: 0, out: 'lo' },
          aliveAfterStop: false,
        });
        // Only the nested layout mounts a devpts (ptys can be opened inside).
        expect(result.pts.code === 0).toBe(layout === 'nested');
        expect(result.usr.code).not.toBe(0);
        expect(result.usr.out).toMatch(/Read-only file system/);
        expect(processesMatching(job.pattern)).toEqual([]);
      },
    );
  },
);

describe('local provider with the flat sandbox layout (DAYTONA_TRAY_BWRAP_LAYOUT=flat)', skipWhen(noBwrap, 'bubblewrap'), () => {
  let t: TestProvider;
  beforeAll(async () => {
    t = await startTestProviderWithEnv({ DAYTONA_TRAY_BWRAP_LAYOUT: 'flat' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('isolates like the nested layout, without a devpts, and keeps background jobs until stop', async () => {
    expect(t.provider.isolation).toBe('bubblewrap');
    const sandbox = await t.daytona.create({ name: 'flat', envVars: { FLAT: 'yes' } });
    expect(await sh(sandbox, 'echo "$(id -u) $(id -un) $(uname -n) $FLAT $(pwd)"; test -e /dev/pts/ptmx || echo no-pts')).toEqual({
      code: 0,
      out: '1000 daytona flat yes /home/daytona\nno-pts',
    });
    expect((await sh(sandbox, 'echo x > /dev/null && head -c 4 /dev/urandom | wc -c')).out).toBe('4');
    expect((await sh(sandbox, `cat ${t.dataDir}/etc/passwd`)).code).not.toBe(0);
    const job = uniqueSleep(300);
    expect(await sh(sandbox, `${job.command} &`)).toEqual({ code: 0, out: '' });
    await expect.poll(async () => (await sh(sandbox, `pgrep -f '${job.pattern}' | wc -l`)).out, { timeout: 10_000 }).toBe('1');
    const blocked = await t.daytona.create({ name: 'flat-blocked', networkBlockAll: true });
    expect((await sh(blocked, 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "')).out).toBe('lo');
    await sandbox.stop();
    expect(processesMatching(job.pattern)).toEqual([]);
  });
});
