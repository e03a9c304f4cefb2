import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { uptime } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxRecord } from '../../main/local/sandbox-record.ts';
import { SandboxStore } from '../../main/local/sandbox-store.ts';
import { appModule, holdInChild } from '../helpers/lock-holder.ts';
import { cliEnv, startCliProvider, type CliProvider } from '../helpers/local-cli.ts';
import { startTestProvider } from '../helpers/local-provider.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { bubblewrapSkipReason, skipWhen } from '../helpers/skip.ts';

/** Host pids whose command line contains `pattern`. */
function processesMatching(pattern: string): number[] {
  const result = spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' });
  return result.stdout.split('\n').filter(Boolean).map(Number);
}

// Without bubblewrap, sandbox processes are plain host processes: nothing kills them when the provider
// is SIGKILLed (no PR_SET_PDEATHSIG from Node), so the "no survivor" check needs bwrap.

describe('local provider crash safety: SIGKILL mid-work, restart on the same data dir', () => {
  const marker = `crash-marker-${randomUUID()}`;
  /** A background job started by executeCommand: it outlives its command, but not the provider. */
  const background = `crash-background-${randomUUID()}`;
  let home: { path: string; cleanup: () => Promise<void> };
  let dataDir: string;
  let first: CliProvider;
  let second: CliProvider | undefined;
  const files: Record<string, string> = {
    'notes.txt': 'first line\nsecond line\n',
    'src/app/main.py': 'print("hello from a file that must survive")\n',
    'data/blob.bin': 'x'.repeat(16 * 1024),
  };
  /** Writes `files` through the toolbox (exec), exactly, as a sandbox program would. */
  const writeFiles = async (sandbox: Sandbox) => {
    for (const [path, content] of Object.entries(files)) {
      const b64 = Buffer.from(content).toString('base64');
      const result = await sandbox.process.executeCommand(`mkdir -p "$(dirname ${path})" && echo ${b64} | base64 -d > ${path}`);
      expect(result.exitCode, result.result).toBe(0);
    }
  };
  /** Reads a file back through the toolbox, exactly (base64 keeps trailing newlines). */
  const readBack = async (sandbox: Sandbox, path: string) =>
    Buffer.from((await sandbox.process.executeCommand(`base64 -w0 ${path}`)).result.trim(), 'base64').toString();
  let running: Sandbox;
  let stopped: Sandbox;
  let archived: Sandbox;
  let acknowledgedSeq = -1;

  beforeAll(async () => {
    home = await tempDir('daytona-tray-crash-');
    dataDir = join(home.path, 'data');
    first = await startCliProvider(['--data-dir', dataDir], cliEnv(home.path));
  });
  afterAll(async () => {
    if (first && first.child.exitCode === null && first.child.signalCode === null) await first.stop('SIGKILL');
    await second?.stop();
    await home?.cleanup();
  });

  it('takes sandboxes with files, one running a long process, then is SIGKILLed mid-request', async () => {
    running = await first.daytona.create({ name: 'crash-running', labels: { seq: 'start' } });
    stopped = await first.daytona.create({ name: 'crash-stopped' });
    archived = await first.daytona.create({ name: 'crash-archived' });
    for (const sandbox of [running, stopped, archived]) await writeFiles(sandbox);
    await stopped.stop();
    await archived.stop();
    await archived.archive();

    await running.process.createSession('bg');
    await running.process.executeSessionCommand('bg', { command: `bash -c 'exec -a ${marker} sleep 600'`, runAsync: true });
    await expect.poll(() => processesMatching(marker).length, { timeout: 10_000 }).toBe(1);
    const started = await running.process.executeCommand(`bash -c 'exec -a ${background} sleep 600' > /dev/null 2>&1 &`);
    expect(started.exitCode).toBe(0);
    await expect.poll(() => processesMatching(background).length, { timeout: 10_000 }).toBe(1);

    // Mid-work: metadata writes keep going while the provider dies.
    let stopWriting = false;
    const writer = (async () => {
      for (let seq = 0; !stopWriting; seq++) {
        try {
          await running.setLabels({ seq: String(seq) });
          acknowledgedSeq = seq;
        } catch {
          return; // the provider is gone
        }
      }
    })();
    await expect.poll(() => acknowledgedSeq, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    const creating = first.daytona.create({ name: 'crash-in-flight' }).catch(() => undefined);
    const exit = await first.stop('SIGKILL');
    stopWriting = true;
    await writer;
    await creating;
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('leaves no sandbox process behind (bubblewrap dies with the provider)', skipWhen(bubblewrapSkipReason(), 'bubblewrap'), async () => {
    await expect.poll(() => processesMatching(marker), { timeout: 10_000 }).toEqual([]);
    await expect.poll(() => processesMatching(background), { timeout: 10_000 }).toEqual([]);
    await expect.poll(() => processesMatching(join(dataDir, 'sandboxes')), { timeout: 10_000 }).toEqual([]);
    // Nor a helper of the dead provider's: each sandbox's slirp4netns names the provider's namespace files.
    await expect.poll(() => processesMatching(`/proc/${first.child.pid}/fd/`), { timeout: 10_000 }).toEqual([]);
  });

  it('comes back on the same data dir with every sandbox and file; running ones are stopped', async () => {
    second = await startCliProvider(['--data-dir', dataDir], cliEnv(home.path));
    expect(second.stderr()).not.toMatch(/could not read sandbox metadata/);
    // No half-written metadata: every file parses, and no temp file is left behind.
    expect((await readdir(join(dataDir, 'meta'))).filter((name) => !name.endsWith('.json'))).toEqual([]);

    const byName = new Map<string, string>();
    for await (const item of second.daytona.list()) byName.set(item.name, String(item.state));
    expect(byName.get('crash-running')).toBe('stopped');
    expect(byName.get('crash-stopped')).toBe('stopped');
    expect(byName.get('crash-archived')).toBe('archived');
    // The create that raced the kill either finished (and is a stopped sandbox now) or never existed.
    if (byName.has('crash-in-flight')) expect(byName.get('crash-in-flight')).toBe('stopped');

    const again = await second.daytona.get(running.id);
    expect(again.state).toBe('stopped');
    expect(again.desiredState).toBe('stopped');
    // Every acknowledged label write is there (a write that landed just before the kill may be one ahead).
    expect(Number(again.labels.seq)).toBeGreaterThanOrEqual(acknowledgedSeq);
    expect(Number(again.labels.seq)).toBeLessThanOrEqual(acknowledgedSeq + 1);
  });

  it('starts the recovered sandboxes again, with their files, and without resurrecting old processes', async () => {
    for (const id of [running.id, stopped.id, archived.id]) {
      const sandbox = await second!.daytona.get(id);
      await sandbox.start();
      expect(sandbox.state).toBe('started');
      for (const [path, content] of Object.entries(files)) {
        expect(await readBack(sandbox, path), `${sandbox.name}:${path}`).toBe(content);
        // And on the host, where the provider keeps them.
        expect(await readFile(join(dataDir, 'sandboxes', id, 'home', path), 'utf8')).toBe(content);
      }
      expect((await sandbox.process.executeCommand('cat notes.txt | wc -l')).result.trim()).toBe('2');
    }
    expect(processesMatching(marker)).toEqual([]);
    expect(processesMatching(background)).toEqual([]);
    // Sessions died with the provider; a new one with the same id can be made.
    const sandbox = await second!.daytona.get(running.id);
    await sandbox.process.createSession('bg');
    expect((await sandbox.process.executeSessionCommand('bg', { command: 'echo fresh' })).output?.trim()).toBe('fresh');

    const exit = await second!.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
  });
});

describe('sandbox metadata store: ordered writes, no resurrection, checked reads, one provider per dir', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    dir = await tempDir('daytona-tray-store-');
  });
  afterAll(async () => {
    await dir?.cleanup();
  });

  const record = (id: string, name: string): SandboxRecord => ({
    id,
    name,
    user: 'daytona',
    env: {},
    labels: {},
    public: false,
    networkBlockAll: false,
    cpu: 1,
    gpu: 0,
    memory: 1,
    disk: 3,
    state: 'started',
    desiredState: 'started',
    autoStopInterval: 15,
    autoPauseInterval: 0,
    autoArchiveInterval: 10080,
    autoDeleteInterval: -1,
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    lastActivityAt: '2030-01-01T00:00:00.000Z',
    authToken: 't',
  });
  const metaOf = async (dataDir: string, id: string) =>
    JSON.parse(await readFile(join(dataDir, 'meta', `${id}.json`), 'utf8')) as SandboxRecord;

  it('the last write always carries the latest content, however many saves overlap', async () => {
    const store = new SandboxStore(join(dir.path, 'ordered'));
    await store.load();
    const r = record(randomUUID(), 'ordered');
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      r.labels = { seq: String(i) };
      saves.push(store.save(r));
    }
    await Promise.all(saves);
    expect((await metaOf(store.dataDir, r.id)).labels).toEqual({ seq: '49' });
  });

  it('a save queued or issued after a remove never brings the sandbox back', async () => {
    const store = new SandboxStore(join(dir.path, 'removed'));
    await store.load();
    const r = record(randomUUID(), 'removed');
    await store.save(r);
    await mkdir(join(store.rootOf(r.id), 'home'), { recursive: true });
    const late = store.save(r); // e.g. an activity flush already on its way
    const removal = store.remove(r.id);
    const later = store.save(r); // e.g. a queued label update
    await Promise.all([late, removal, later]);
    expect(existsSync(join(store.metaDir, `${r.id}.json`))).toBe(false);
    expect(existsSync(store.rootOf(r.id))).toBe(false);
    expect(store.get(r.id)).toBeUndefined();
    const reloaded = new SandboxStore(store.dataDir);
    await reloaded.load();
    expect(reloaded.all()).toEqual([]);
  });

  it('an activity flush racing a delete does not resurrect the sandbox (through the service)', async () => {
    const t = await startTestProvider();
    try {
      const sandbox = await t.daytona.create({ name: 'flush-vs-delete' });
      const live = t.provider.service.get(sandbox.id);
      t.provider.service.touch(live);
      await Promise.all([t.provider.service.delete(sandbox.id), t.provider.service.flushActivity(), t.provider.service.flushActivity()]);
      t.provider.service.touch(live);
      await t.provider.service.flushActivity();
      await t.provider.service.idle();
      expect(existsSync(join(t.dataDir, 'meta', `${sandbox.id}.json`))).toBe(false);
      await expect(t.daytona.get(sandbox.id)).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await t.stop();
    }
  });

  it('reads back only well-formed records whose id matches the file, and clears crash leftovers', async () => {
    const dataDir = join(dir.path, 'checked');
    const good = record(randomUUID(), 'good');
    const store = new SandboxStore(dataDir);
    await store.load();
    await store.save(good);
    const other = randomUUID();
    await writeFile(join(store.metaDir, `${other}.json`), JSON.stringify({ ...good, id: other, state: 'flying' }));
    const evil = randomUUID();
    await writeFile(join(store.metaDir, `${evil}.json`), JSON.stringify({ ...good, id: '../../..' }));
    const moved = randomUUID();
    await writeFile(join(store.metaDir, `${moved}.json`), JSON.stringify(good)); // another sandbox's content
    await writeFile(join(store.metaDir, 'truncated.json'), '{"id": "');
    await writeFile(join(store.metaDir, `.${good.id}.json.0123456789ab.tmp`), '{"half');

    const reloaded = new SandboxStore(dataDir);
    const unreadable = await reloaded.load();
    expect(unreadable.sort()).toEqual([`${other}.json`, `${evil}.json`, `${moved}.json`, 'truncated.json'].sort());
    expect(reloaded.all().map((r) => r.id)).toEqual([good.id]);
    // Unreadable files stay for a human to look at; the temp file of a crashed write is gone.
    const names = await readdir(reloaded.metaDir);
    expect(names).toContain('truncated.json');
    expect(names.some((name) => name.endsWith('.tmp'))).toBe(false);
  });

  it("keeps a second provider off a data dir in use, and takes over a dead one's lock", async () => {
    const dataDir = join(dir.path, 'locked');
    const first = new SandboxStore(dataDir);
    await first.lock();
    await expect(new SandboxStore(dataDir).lock()).rejects.toThrow(`Another local provider (pid ${process.pid}) is using ${dataDir}`);
    await first.unlock();
    const second = new SandboxStore(dataDir);
    await second.lock();
    await second.unlock();

    // A lock left by a process that is gone (pid from a finished child), or from before a reboot.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const lockFile = join(dataDir, 'provider.pid');
    const bootTime = Math.round((Date.now() - uptime() * 1000) / 60_000);
    for (const stale of [{ pid: Number(dead), bootTime }, { pid: process.pid, bootTime: bootTime - 60 * 24 }, 'garbage']) {
      await writeFile(lockFile, typeof stale === 'string' ? stale : JSON.stringify(stale));
      const store = new SandboxStore(dataDir);
      await store.lock();
      expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ pid: process.pid });
      await store.unlock();
      expect(existsSync(lockFile)).toBe(false);
    }
  });

  it('a provider SIGKILLed while it holds its data dir keeps others off until it is gone, then frees it at once', async () => {
    const dataDir = join(dir.path, 'killed');
    const killed = await holdInChild(`const { SandboxStore } = await import(${JSON.stringify(appModule('main/local/sandbox-store.ts'))});
      await new SandboxStore(${JSON.stringify(dataDir)}).lock();`);
    try {
      await expect(new SandboxStore(dataDir).lock()).rejects.toThrow(`Another local provider (pid ${killed.pid}) is using ${dataDir}`);
    } finally {
      await killed.kill();
    }
    const next = new SandboxStore(dataDir);
    await next.lock();
    expect(JSON.parse(await readFile(join(dataDir, 'provider.pid'), 'utf8'))).toMatchObject({ pid: process.pid });
    await next.unlock();
  });
});
