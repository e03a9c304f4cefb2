import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DaytonaError, DaytonaNotFoundError, type Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyringSecretStore, KEYCHAIN_SERVICE } from '../../main/core/secrets/keyring-secret-store.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { bubblewrapSkipReason, skipWhen } from '../helpers/skip.ts';
import { keyringEnv, keyringSkipReason, startTestKeyring, type TestKeyring } from '../helpers/test-keyring.ts';

/** The error a call fails with (it must fail). */
async function failure(call: Promise<unknown>): Promise<DaytonaError & { statusCode?: number }> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, 'the call should have failed').toBeInstanceOf(DaytonaError);
  return error as DaytonaError & { statusCode?: number };
}

/** Every file under `dir` (recursively) whose bytes contain `needle`. */
async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = await readFile(path).catch(() => Buffer.alloc(0));
    if (bytes.includes(needle)) found.push(path);
  }
  return found;
}

const run = async (sandbox: Sandbox, command: string) => {
  const result = await sandbox.process.executeCommand(command);
  expect(result.exitCode, result.result).toBe(0);
  return result.result;
};

describe('local provider: snapshots through the unmodified SDK', () => {
  let t: TestProvider;
  beforeAll(async () => {
    t = await startTestProvider();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('lists and gets the host system as the one snapshot, with every field the SDK model has', async () => {
    const page = await t.daytona.snapshot.list();
    expect(page).toMatchObject({ total: 1, page: 1, totalPages: 1 });
    const [local] = page.items;
    expect(local).toMatchObject({ id: 'local', name: 'local', general: true, state: 'active', cpu: 1, gpu: 0, mem: 1, disk: 3 });
    for (const field of [
      'organizationId',
      'size',
      'entrypoint',
      'errorReason',
      'createdAt',
      'updatedAt',
      'lastUsedAt',
      'sourceSandboxId',
    ]) {
      expect(local, field).toHaveProperty(field);
    }
    expect(await t.daytona.snapshot.get('local')).toEqual(local);
    expect((await t.daytona.snapshot.list({ page: 2, limit: 10 })).items).toEqual([]);
  });

  it('a missing snapshot is not found, and a sandbox from one is refused with 400', async () => {
    const missing = await failure(t.daytona.snapshot.get('python:3.12'));
    expect(missing).toBeInstanceOf(DaytonaNotFoundError);
    expect(missing.message).toMatch(/^Snapshot python:3\.12 not found\. The local provider has one snapshot, 'local'/);
    const create = await failure(t.daytona.create({ snapshot: 'python:3.12' }));
    expect(create.statusCode).toBe(400);
    expect(create.message).toMatch(/^Snapshot python:3\.12 not found\. Did you add it through the Daytona Dashboard\?/);
  });
});

describe('local provider: volumes through the unmodified SDK', skipWhen(bubblewrapSkipReason(), 'bubblewrap'), () => {
  let t: TestProvider;
  beforeAll(async () => {
    t = await startTestProvider();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('creates, lists and gets volumes by id and name, with Daytona states; get(name, true) creates one', async () => {
    const volume = await t.daytona.volume.create('notes');
    expect(volume).toMatchObject({ name: 'notes', state: 'ready', organizationId: 'local', errorReason: null });
    expect(await t.daytona.volume.get('notes')).toEqual(volume);
    expect((await t.daytona.volume.list()).map((v) => v.name)).toContain('notes');
    const again = await failure(t.daytona.volume.create('notes'));
    expect(again.statusCode).toBe(400);
    expect(again.message).toBe('Volume with name notes already exists');
    expect(await failure(t.daytona.volume.get('absent'))).toBeInstanceOf(DaytonaNotFoundError);
    expect((await t.daytona.volume.get('made-on-demand', true)).state).toBe('ready');
  });

  it('a file one sandbox writes to a volume is read by another; a subpath mounts only its part', async () => {
    const volume = await t.daytona.volume.get('shared', true);
    const writer = await t.daytona.create({ name: 'writer', volumes: [{ volumeId: volume.id, mountPath: '/mnt/shared' }] });
    await run(writer, 'mkdir -p /mnt/shared/team && echo "from the writer" > /mnt/shared/team/note.txt');
    // By name, at another path, and only the team/ part of it.
    const reader = await t.daytona.create({
      name: 'reader',
      volumes: [
        { volumeId: 'shared', mountPath: '/home/daytona/data' },
        { volumeId: 'shared', mountPath: '/mnt/team', subpath: 'team' },
      ],
    });
    expect(await run(reader, 'cat /home/daytona/data/team/note.txt /mnt/team/note.txt')).toBe('from the writer\nfrom the writer\n');
    // The toolbox sees the volume where the sandbox does, both ways.
    expect((await reader.fs.downloadFile('/mnt/team/note.txt')).toString()).toBe('from the writer\n');
    await reader.fs.uploadFile(Buffer.from('reply\n'), '/home/daytona/data/team/reply.txt');
    expect(await run(writer, 'cat /mnt/shared/team/reply.txt')).toBe('reply\n');
    expect((await t.daytona.get(reader.id)).volumes).toEqual([
      { volumeId: volume.id, mountPath: '/home/daytona/data' },
      { volumeId: volume.id, mountPath: '/mnt/team', subpath: 'team' },
    ]);
    // A fork names the same volumes, as on Daytona: shared, not copied.
    const fork = await writer.fork({ name: 'writer-fork' });
    await run(fork, 'echo "from the fork" > /mnt/shared/team/fork.txt');
    expect(await run(reader, 'cat /mnt/team/fork.txt')).toBe('from the fork\n');
    await fork.delete();
    // Files survive a restart of the sandbox and live with the volume, not the sandbox.
    await writer.stop();
    await writer.start();
    expect(await run(writer, 'cat /mnt/shared/team/reply.txt')).toBe('reply\n');
  });

  it('refuses to delete a volume a sandbox uses (409), deletes it once none does', async () => {
    const volume = await t.daytona.volume.create('busy');
    const user = await t.daytona.create({ name: 'busy-user', volumes: [{ volumeId: 'busy', mountPath: '/data' }] });
    const refused = await failure(t.daytona.volume.delete(volume));
    expect(refused.statusCode).toBe(409);
    expect(refused.message).toBe('Volume cannot be deleted because it is in use by one or more sandboxes (e.g. busy-user)');
    await user.delete();
    await t.daytona.volume.delete(volume);
    expect(['pending_delete', 'deleted']).toContain((await t.daytona.volume.list()).find((v) => v.id === volume.id)?.state ?? 'deleted');
    await expect.poll(async () => (await t.request(`/volumes/${volume.id}`).then((r) => r.json())).state).toBe('deleted');
    expect(await failure(t.daytona.volume.get('busy'))).toBeInstanceOf(DaytonaNotFoundError);
  });

  it('refuses bad mounts as Daytona does, and a system folder the host shows read-only', async () => {
    await t.daytona.volume.get('checked', true);
    const cases: [string, string | undefined, RegExp][] = [
      ['data', undefined, /^Invalid mount path data \(must be absolute\)$/],
      ['/etc/app', undefined, /^Invalid mount path \/etc\/app \(cannot mount to system directory\)$/],
      ['/usr/local/data', undefined, /^Invalid mount path \/usr\/local\/data \(the local provider shows this host folder read-only/],
      ['/data', '../up', /^Invalid subpath "\.\.\/up" \(cannot contain \.\. for security\)$/],
    ];
    for (const [mountPath, subpath, message] of cases) {
      const error = await failure(t.daytona.create({ volumes: [{ volumeId: 'checked', mountPath, ...(subpath ? { subpath } : {}) }] }));
      expect(error.statusCode, mountPath).toBe(400);
      expect(error.message).toMatch(message);
    }
  });
});

describe('local provider: secrets in the real keychain', skipWhen(keyringSkipReason() ?? bubblewrapSkipReason(), 'keyring'), () => {
  let keyring: TestKeyring;
  let t: TestProvider;
  beforeAll(async () => {
    keyring = await startTestKeyring();
    t = await startTestProvider({ secrets: createKeyringSecretStore({ env: keyringEnv(keyring) }) });
  });
  afterAll(async () => {
    await t?.stop();
    await keyring?.stop();
  });

  it("reaches the sandbox's environment, is never readable back, and no file under the data dir holds it", async () => {
    const value = `sk-test-${randomUUID()}`;
    const secret = await t.daytona.secret.create({ name: 'api_token', value, description: 'for tests', hosts: ['api.example.com'] });
    expect(secret).toMatchObject({
      name: 'api_token',
      description: 'for tests',
      hosts: ['api.example.com'],
      placeholder: `dtn_secret_${secret.id}`,
    });
    // The value went to the Secret Service itself, and comes back through no route.
    expect(await keyring.lookup({ service: KEYCHAIN_SERVICE, username: `local-provider-secret:${secret.id}` })).toBe(value);
    const listed = await t.daytona.secret.list();
    expect(listed).toMatchObject({ total: 1, nextCursor: null });
    for (const body of [secret, listed, await t.daytona.secret.get(secret.id), await (await t.request('/secret')).json()]) {
      expect(JSON.stringify(body)).not.toContain(value);
    }

    const sandbox = await t.daytona.create({ name: 'with-secret', secrets: { API_TOKEN: 'api_token' } });
    expect(await run(sandbox, 'printf %s "$API_TOKEN"')).toBe(value);
    expect(await (await t.request(`/sandbox/${sandbox.id}`)).text()).not.toContain(value);
    await t.provider.service.idle();
    expect(await filesContaining(t.dataDir, value)).toEqual([]);

    // An update reaches the sandbox at its next start.
    const next = `sk-test-${randomUUID()}`;
    await t.daytona.secret.update(secret.id, { value: next });
    await sandbox.stop();
    await sandbox.start();
    expect(await run(sandbox, 'printf %s "$API_TOKEN"')).toBe(next);
    expect(await filesContaining(t.dataDir, next)).toEqual([]);

    // sandbox.updateSecrets replaces the set; commands started afterwards see the new one at once.
    await sandbox.updateSecrets({ OTHER_TOKEN: 'api_token' });
    expect(await run(sandbox, 'printf %s "${API_TOKEN:-unset} $OTHER_TOKEN"')).toBe(`unset ${next}`);
    const refused = await failure(sandbox.updateSecrets({ OTHER_TOKEN: 'nowhere' }));
    expect(refused.message).toBe('Secret nowhere not found: create it first (daytona.secret.create), then try again.');
  });

  it('refuses a second secret of the same name (409), a bad name, and a sandbox naming a missing secret', async () => {
    await t.daytona.secret.create({ name: 'once', value: 'v' });
    expect((await failure(t.daytona.secret.create({ name: 'once', value: 'w' }))).statusCode).toBe(409);
    expect((await failure(t.daytona.secret.create({ name: '9lives', value: 'w' }))).message).toMatch(/^Invalid secret name '9lives'/);
    const missing = await failure(t.daytona.create({ secrets: { TOKEN: 'nowhere' } }));
    expect(missing.statusCode).toBe(400);
    expect(missing.message).toBe('Secret nowhere not found: create it first (daytona.secret.create), then try again.');
  });

  it('deletes a secret from the keychain too', async () => {
    const secret = await t.daytona.secret.create({ name: 'short_lived', value: 'gone soon' });
    await t.daytona.secret.delete(secret.id);
    expect(await failure(t.daytona.secret.get(secret.id))).toBeInstanceOf(DaytonaNotFoundError);
    expect(await keyring.lookup({ service: KEYCHAIN_SERVICE, username: `local-provider-secret:${secret.id}` })).toBeNull();
  });
});
