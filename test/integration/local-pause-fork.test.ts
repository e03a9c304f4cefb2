import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaytonaValidationError, type Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlainTestProvider, startTestProvider, startTestProviderWithEnv, type TestProvider } from '../helpers/local-provider.ts';
import { bubblewrapSkipReason, skipWhen } from '../helpers/skip.ts';

/** A scaled minute (the provider checks every minute/6). */
const MINUTE_MS = 200;
const WAIT = { timeout: 20_000, interval: 25 };
/** A counter that writes its next value to ~/count every 20 ms, from the sandbox's background. */
const COUNTER = `nohup sh -c 'i=0; while true; do i=$((i+1)); echo "$$ $i" > "$HOME/count.tmp" && mv "$HOME/count.tmp" "$HOME/count"; sleep 0.02; done' > /dev/null 2>&1 &`;

/** The counter's shell pid and its count so far. */
const counter = (t: TestProvider, sandbox: Sandbox) => {
  try {
    const [pid = '', value = '0'] = readFileSync(join(t.provider.service.dirsOf(sandbox.id).home, 'count'), 'utf8')
      .trim()
      .split(' ');
    return { pid, value: Number(value) };
  } catch {
    return { pid: '', value: 0 };
  }
};
const count = (t: TestProvider, sandbox: Sandbox) => counter(t, sandbox).value;
const gone = async (t: TestProvider, id: string) => {
  try {
    return (await t.daytona.get(id)).state;
  } catch (error) {
    return (error as { statusCode?: number }).statusCode === 404 ? 'gone (404)' : String(error);
  }
};

const runners: [string, (options: { minuteMs: number }) => Promise<TestProvider>, string | undefined][] = [
  ['under bubblewrap', startTestProvider, bubblewrapSkipReason()],
  // The fallback where the provider cannot make cgroups: SIGSTOP to every process (local-cgroups.test.ts has the freezer).
  [
    'under bubblewrap without cgroups',
    (options) => startTestProviderWithEnv({ DAYTONA_TRAY_NO_CGROUPS: '1' }, options),
    bubblewrapSkipReason(),
  ],
  ['as plain processes', startPlainTestProvider, undefined],
];

describe.each(runners)('local provider: pause and resume %s', (_label, start, skipReason) => {
  let t: TestProvider;
  beforeAll(async () => {
    if (!skipReason) t = await start({ minuteMs: 60_000 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('a paused sandbox does not run, keeps its memory, and start resumes it where it was', skipWhen(skipReason, 'bubblewrap'), async () => {
    const sandbox = await t.daytona.create({ name: 'pause-counter', autoStopInterval: 0 });
    await sandbox.process.executeCommand(COUNTER);
    await expect.poll(() => count(t, sandbox), WAIT).toBeGreaterThan(3);

    await sandbox.pause();
    expect(sandbox.state).toBe('paused');
    expect((await t.daytona.get(sandbox.id)).state).toBe('paused');
    const { pid, value: frozen } = counter(t, sandbox);
    // Twenty of the counter's periods: a running counter would have moved on.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(count(t, sandbox)).toBe(frozen);
    // The toolbox refuses a paused sandbox and says what to do.
    await expect(sandbox.process.executeCommand('true')).rejects.toThrow(/is paused: start it first/);

    await sandbox.start();
    expect(sandbox.state).toBe('started');
    // The same process goes on counting from where it stopped (its memory was kept): a new one would start from 1.
    await expect.poll(() => count(t, sandbox), WAIT).toBeGreaterThan(frozen);
    expect(counter(t, sandbox).pid).toBe(pid);
    await sandbox.delete();
  });

  it('a paused sandbox stops and deletes; pause needs a started sandbox', skipWhen(skipReason, 'bubblewrap'), async () => {
    const sandbox = await t.daytona.create({ name: 'pause-stop' });
    await sandbox.process.executeCommand(COUNTER);
    await sandbox.pause();
    await sandbox.stop();
    expect(sandbox.state).toBe('stopped');
    const stopped = count(t, sandbox);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(count(t, sandbox)).toBe(stopped);
    await expect(sandbox.pause()).rejects.toThrow(/Sandbox must be in started state to pause/);
    await sandbox.start();
    await sandbox.pause();
    await sandbox.delete();
    await expect.poll(() => gone(t, sandbox.id), WAIT).toBe('gone (404)');
  });
});

describe(`local provider: auto-pause and TTL on a scaled clock (1 minute = ${MINUTE_MS} ms)`, () => {
  let t: TestProvider;
  beforeAll(async () => {
    t = await startTestProvider({ minuteMs: MINUTE_MS });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('pauses a sandbox idle for autoPauseInterval (auto-stop is then off), and start resumes it', async () => {
    const sandbox = await t.daytona.create({ name: 'auto-pause', autoPauseInterval: 1 });
    expect(sandbox.autoPauseInterval).toBe(1);
    expect(sandbox.autoStopInterval).toBe(0);
    await expect.poll(async () => (await t.daytona.get(sandbox.id)).state, WAIT).toBe('paused');
    await sandbox.start();
    expect(sandbox.state).toBe('started');
    await sandbox.setAutoPauseInterval(0);
    await sandbox.refreshData();
    expect(sandbox.autoPauseInterval).toBe(0);
    await sandbox.delete();
  });

  it('refuses auto-stop and auto-pause together, and auto-pause on an ephemeral sandbox', async () => {
    const both = await t.request('/sandbox', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ autoStopInterval: 5, autoPauseInterval: 5 }),
    });
    expect(both.status).toBe(400);
    expect((await both.json()).message).toMatch(/mutually exclusive/);
    const sandbox = await t.daytona.create({ name: 'auto-stop-on', autoStopInterval: 5 });
    await expect(sandbox.setAutoPauseInterval(5)).rejects.toBeInstanceOf(DaytonaValidationError);
    await sandbox.setAutostopInterval(0);
    await sandbox.setAutoPauseInterval(5);
    await sandbox.refreshData();
    expect(sandbox.autoPauseInterval).toBe(5);
    await sandbox.delete();
  });

  it('a TTL of one minute deletes a stopped sandbox; setTtl re-anchors it and 0 takes it off', async () => {
    // A TTL long enough to outlast a slow create (at 200 ms a minute), then one minute set on the stopped sandbox.
    const sandbox = await t.daytona.create({ name: 'ttl-stopped', ttlMinutes: 1000, autoStopInterval: 0 });
    expect(Date.parse(sandbox.autoDestroyAt!)).toBeGreaterThan(Date.parse(sandbox.createdAt!));
    await sandbox.stop();
    await sandbox.setTtl(1);
    await expect.poll(() => gone(t, sandbox.id), WAIT).toBe('gone (404)');

    const kept = await t.daytona.create({ name: 'ttl-off', ttlMinutes: 1000, autoStopInterval: 0 });
    await kept.setTtl(0);
    await kept.refreshData();
    expect(kept.autoDestroyAt).toBeUndefined();
    await kept.setTtl(1000);
    await kept.refreshData();
    expect(Date.parse(kept.autoDestroyAt!)).toBeGreaterThan(Date.now());
    await kept.delete();
  });

  it('a TTL deletes a paused sandbox too', async () => {
    const sandbox = await t.daytona.create({ name: 'ttl-paused', autoStopInterval: 0 });
    await sandbox.pause();
    await sandbox.setTtl(1);
    await expect.poll(() => gone(t, sandbox.id), WAIT).toBe('gone (404)');
  });
});

describe('local provider: fork and resize', () => {
  let t: TestProvider;
  beforeAll(async () => {
    t = await startTestProvider({ minuteMs: 60_000 });
  });
  afterAll(async () => {
    await t?.stop();
  });
  const read = async (sandbox: Sandbox, path: string) => (await sandbox.fs.downloadFile(path)).toString();
  const lineage = async (id: string, route: string) => {
    const response = await t.request(`/sandbox/${id}/${route}`);
    return { status: response.status, body: (await response.json()) as any };
  };

  it("a fork has the parent's files and settings, diverges after a write, and knows its parent", async () => {
    const parent = await t.daytona.create({ name: 'fork-parent', envVars: { FROM: 'parent' }, labels: { team: 'a' } });
    await parent.fs.uploadFile(Buffer.from('original'), 'notes.txt');
    await parent.process.executeCommand('mkdir -p deep/dir && echo nested > deep/dir/file && ln -s notes.txt link');

    const child = await parent.fork({ name: 'fork-child' });
    expect(child.state).toBe('started');
    expect(child.name).toBe('fork-child');
    expect(child.labels.team).toBe('a');
    expect(await read(child, 'notes.txt')).toBe('original');
    expect(await read(child, 'deep/dir/file')).toBe('nested\n');
    expect((await child.process.executeCommand('readlink link && echo $FROM')).result.trim()).toBe('notes.txt\nparent');

    await child.fs.uploadFile(Buffer.from('changed in the fork'), 'notes.txt');
    await parent.fs.uploadFile(Buffer.from('changed in the parent'), 'other.txt');
    expect(await read(parent, 'notes.txt')).toBe('original');
    expect(await read(child, 'notes.txt')).toBe('changed in the fork');
    await expect(child.fs.downloadFile('other.txt')).rejects.toThrow();
    expect((await t.daytona.get(parent.id)).state).toBe('started');

    const grandchild = await child.fork();
    expect((await lineage(child.id, 'parent')).body.id).toBe(parent.id);
    expect((await lineage(parent.id, 'forks')).body.map((s: { id: string }) => s.id)).toEqual([child.id]);
    expect((await lineage(grandchild.id, 'ancestors')).body.map((s: { id: string }) => s.id)).toEqual([parent.id, child.id]);
    const orphan = await lineage(parent.id, 'parent');
    expect(orphan.status).toBe(404);
    expect(orphan.body.message).toMatch(/not forked from another sandbox/);

    await expect(parent.fork({ name: 'fork-child' })).rejects.toMatchObject({ statusCode: 409 });
    await parent.stop();
    await expect(parent.fork()).rejects.toThrow(/must be in started state to fork/);
    for (const sandbox of [grandchild, child, parent]) await sandbox.delete();
  });

  it("resize records new resources under Daytona's rules", async () => {
    const sandbox = await t.daytona.create({ name: 'resize' });
    await sandbox.resize({ cpu: 2, memory: 2 });
    expect((await t.daytona.get(sandbox.id)).cpu).toBe(2);
    expect(sandbox.state).toBe('started');
    await expect(sandbox.resize({ cpu: 1 })).rejects.toThrow(/stopped state to decrease the number of CPU cores/);
    await expect(sandbox.resize({ disk: 5 })).rejects.toThrow(/Disk resize can only be performed on a stopped sandbox/);
    await sandbox.stop();
    await sandbox.resize({ cpu: 1, disk: 5 });
    const after = await t.daytona.get(sandbox.id);
    expect([after.cpu, after.memory, after.disk, after.state]).toEqual([1, 2, 5, 'stopped']);
    await expect(sandbox.resize({ disk: 4 })).rejects.toThrow(/disk size cannot be decreased/);
    await sandbox.delete();
  });
});
