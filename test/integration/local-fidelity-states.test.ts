import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DaytonaConflictError, DaytonaNotFoundError, DaytonaValidationError, type Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';

// Daytona's transition rules and create validation (apps/api/src/sandbox/services/sandbox.service.ts, v0.190.0),
// each seen through the unmodified SDK: a refused call fails at once with Daytona's status, never a 200 that
// leaves the SDK waiting for a state that will not come.
describe('local provider: wrong-state calls and validation as Daytona answers them', () => {
  let t: TestProvider;

  beforeAll(async () => {
    t = await startTestProvider();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const rejection = async (call: Promise<unknown>) => {
    const error = await call.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error, 'the call should have been refused').toBeInstanceOf(Error);
    return error as Error & { statusCode?: number };
  };

  it('stop needs a started sandbox and archive a stopped one: both 400 (validation error), at once', async () => {
    const sandbox = await t.daytona.create({ name: 'rules-basic' });
    const archiveStarted = await rejection(sandbox.archive());
    expect(archiveStarted).toBeInstanceOf(DaytonaValidationError);
    expect(archiveStarted.message).toMatch(/^Sandbox is not stopped: /);
    await sandbox.stop();
    const stopStopped = await rejection(sandbox.stop());
    expect(stopStopped).toBeInstanceOf(DaytonaValidationError);
    expect(stopStopped.message).toMatch(/^Sandbox is not in a stoppable state: .* is stopped/);
    await sandbox.archive();
    expect((await t.daytona.get(sandbox.id)).state).toBe('archived');
    // Before, this answered 200 'archived' and the SDK waited 60 s for 'stopped'; the short timeout proves it fails at once.
    const stopArchived = await rejection(sandbox.stop(5));
    expect(stopArchived).toBeInstanceOf(DaytonaValidationError);
    expect(stopArchived.message).toMatch(/is archived/);
    expect((await rejection(sandbox.archive())).message).toMatch(/^Sandbox is not stopped: .* is archived/);
    await sandbox.start();
    expect((await t.daytona.get(sandbox.id)).state).toBe('started');
  });

  it('a second delete while the first is under way is 409 "state change in progress"', async () => {
    const sandbox = await t.daytona.create({ name: 'rules-delete' });
    const first = await t.request(`/sandbox/${sandbox.id}`, { method: 'DELETE' });
    expect(first.status).toBe(200);
    expect((await first.json()).state).toBe('destroying');
    const second = await rejection(sandbox.delete());
    // The first delete may already be done on a fast machine: then the sandbox is gone (404). Never a second 200.
    if (second instanceof DaytonaConflictError) expect(second.message).toMatch(/^Sandbox state change in progress/);
    else expect(second).toBeInstanceOf(DaytonaNotFoundError);
    await expect.poll(async () => (await t.request(`/sandbox/${sandbox.id}`)).status).toBe(404);
  });

  it('an errored sandbox refuses start and stop (400) and comes back with recover', async () => {
    const sandbox = await t.daytona.create({ name: 'rules-errored' });
    await sandbox.fs.uploadFile(Buffer.from('kept'), 'kept.txt');
    await sandbox.stop();
    await markErrored(sandbox);
    const errored = await t.daytona.get(sandbox.id);
    expect(errored.state).toBe('error');
    expect(errored.recoverable).toBe(true);
    const start = await rejection(errored.start());
    expect(start).toBeInstanceOf(DaytonaValidationError);
    expect(start.message).toMatch(/^Sandbox is in an errored state \(disk went away\): recover it \(sandbox\.recover\(\)\)/);
    expect(await rejection(errored.stop())).toBeInstanceOf(DaytonaValidationError);
    await errored.recover();
    expect(errored.state).toBe('started');
    expect((await errored.fs.downloadFile('kept.txt')).toString()).toBe('kept');
    const again = await rejection(errored.recover());
    expect(again).toBeInstanceOf(DaytonaValidationError);
    expect(again.message).toMatch(/^Sandbox is not in a recoverable state/);
  });

  it('an ephemeral sandbox is deleted by its stop and cannot be archived', async () => {
    const ephemeral = await t.daytona.create({ name: 'rules-ephemeral', autoDeleteInterval: 0 });
    await ephemeral.stop(); // the SDK counts destroyed as stopped
    await expect.poll(async () => (await t.request(`/sandbox/${ephemeral.id}`)).status).toBe(404);

    const kept = await t.daytona.create({ name: 'rules-ephemeral-later' });
    await kept.stop();
    await kept.setAutoDeleteInterval(0);
    const archive = await rejection(kept.archive());
    expect(archive).toBeInstanceOf(DaytonaValidationError);
    expect(archive.message).toMatch(/^Ephemeral sandboxes cannot be archived/);
  });

  it('refuses a snapshot it does not have and a malformed networkAllowList (400), accepts its own snapshot', async () => {
    const snapshot = await rejection(t.daytona.create({ name: 'rules-snap', snapshot: 'daytonaio/no-such-snapshot:1' }));
    expect(snapshot).toBeInstanceOf(DaytonaValidationError);
    expect(snapshot.message).toMatch(/^Snapshot daytonaio\/no-such-snapshot:1 not found\. /);
    expect((await t.daytona.create({ name: 'rules-snap-local', snapshot: 'local' })).snapshot).toBe('local');
    const bare = await rejection(t.daytona.create({ name: 'rules-net', networkAllowList: '192.0.2.1' }));
    expect(bare).toBeInstanceOf(DaytonaValidationError);
    expect(bare.message).toMatch(/Missing CIDR prefix length/);
    const many = Array.from({ length: 11 }, (_, i) => `10.0.${i}.0/24`).join(',');
    expect((await rejection(t.daytona.create({ name: 'rules-net', networkAllowList: many }))).message).toMatch(
      /cannot contain more than 10 networks/,
    );
    expect((await t.request('/sandbox/rules-net')).status).toBe(404);
  });

  it('stores autoArchiveInterval 0 as the maximum and caps larger values, at create and on update', async () => {
    const config = await (await t.request('/config')).json();
    const max = config.maxAutoArchiveInterval as number;
    const zero = await t.daytona.create({ name: 'rules-archive-0', autoArchiveInterval: 0 });
    expect(zero.autoArchiveInterval).toBe(max);
    const huge = await t.daytona.create({ name: 'rules-archive-huge', autoArchiveInterval: max * 10 });
    expect(huge.autoArchiveInterval).toBe(max);
    await huge.setAutoArchiveInterval(60);
    await huge.setAutoArchiveInterval(0);
    expect((await t.daytona.get(huge.id)).autoArchiveInterval).toBe(max);
  });

  it('gives a private sandbox a new preview token at every start, as Daytona does', async () => {
    const sandbox = await t.daytona.create({ name: 'rules-token' });
    const before = (await sandbox.getPreviewLink(3000)).token;
    await sandbox.stop();
    await sandbox.start();
    const after = (await sandbox.getPreviewLink(3000)).token;
    expect(after).not.toBe(before);
    expect(after.length).toBeGreaterThan(10);
  });

  /** Puts a stopped sandbox in `error` the way a provider restart finds it: its metadata file says so. */
  async function markErrored(sandbox: Sandbox): Promise<void> {
    const { dataDir } = t;
    await t.provider.close();
    const file = join(dataDir, 'meta', `${sandbox.id}.json`);
    const record = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...record, state: 'error', desiredState: 'started', errorReason: 'disk went away' }));
    const restarted = await startTestProvider({ dataDir });
    const first = t;
    t = { ...restarted, stop: () => restarted.stop().then(() => first.stop()) };
  }
});
