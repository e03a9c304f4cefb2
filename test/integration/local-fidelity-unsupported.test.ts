import { DaytonaNotFoundError, DaytonaUnprocessableEntityError, type Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';

// What the local provider does not do fails as Daytona fails an unsupported operation (422, its error shape, the
// operation named), never as "not found", which would make a program believe its sandbox is gone.
describe('local provider: unsupported operations are named, not 404', () => {
  let t: TestProvider;
  let sandbox: Sandbox;

  beforeAll(async () => {
    t = await startTestProvider();
    sandbox = await t.daytona.create({ name: 'unsupported' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const failure = async (call: Promise<unknown>) => {
    const error = await call.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error, 'the call should have failed').toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(DaytonaNotFoundError);
    return error as Error & { statusCode?: number };
  };

  it('sandbox API calls: snapshot of a sandbox, SSH access, making and removing snapshots', async () => {
    const snapshot = await failure(sandbox.createSnapshot('from-sandbox'));
    expect(snapshot).toBeInstanceOf(DaytonaUnprocessableEntityError);
    expect(snapshot.message).toBe(
      'createSandboxSnapshot (POST /api/sandbox/{id}/snapshot) is not supported by the local provider: use a Daytona Cloud profile for it.',
    );
    expect((await failure(sandbox.createSshAccess(10))).message).toMatch(/^createSshAccess /);
    // Snapshots are listed (the host system), but none can be made or removed here.
    expect((await failure(t.daytona.snapshot.create({ name: 'mine', image: 'debian:12' }))).message).toMatch(
      /^createSnapshot \(POST \/api\/snapshots\) is not supported by the local provider: the local provider has one snapshot, 'local'/,
    );
    expect((await failure(t.daytona.snapshot.delete('local'))).message).toMatch(/^removeSnapshot /);
    // The sandbox is still there, and a missing one is still "not found".
    expect((await t.daytona.get(sandbox.id)).state).toBe('started');
    const missing = await t.request('/sandbox/00000000-0000-4000-8000-000000000000/snapshot', { method: 'POST' });
    expect(missing.status).toBe(404);
  });

  it('toolbox calls: in the daemon error shape', async () => {
    const raw = await t.request(`/toolbox/${sandbox.id}/init`, { method: 'POST' });
    expect(raw.status).toBe(422);
    expect(await raw.json()).toMatchObject({ statusCode: 422, code: 'UNPROCESSABLE_ENTITY', source: 'DAYTONA_DAEMON', method: 'POST' });
  });
});
