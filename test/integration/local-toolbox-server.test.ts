import { DaytonaError, type Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_PROVIDER_VERSION } from '../../main/local/provider.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { missingCommandReason, skipWhen } from '../helpers/skip.ts';

const noPython = missingCommandReason('python3', 'apt-get install python3');

// The daemon's own routes: sandbox.updateEnv(), /version, /port and /port/{port}/in-use, and /init refused on purpose.
describe('local provider: the daemon environment, version and listening ports', () => {
  let t: TestProvider;
  let sandbox: Sandbox;
  const get = async (path: string) => {
    const response = await t.request(`/toolbox/${sandbox.id}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const env = async (name: string) => (await sandbox.process.executeCommand(`printf %s "\${${name}-unset}"`)).result;

  beforeAll(async () => {
    t = await startTestProvider();
    sandbox = await t.daytona.create({ name: 'server-routes', envVars: { KEPT: 'kept', DROPPED: 'dropped', SECRET_A: 'placeholder:a' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('updateEnv changes what later commands and sessions get, until the sandbox stops', async () => {
    await sandbox.updateEnv({ ADDED: 'added', KEPT: 'changed' }, { unset: ['DROPPED'] });
    expect(await env('ADDED')).toBe('added');
    expect(await env('KEPT')).toBe('changed');
    expect(await env('DROPPED')).toBe('unset');
    await sandbox.process.createSession('env-session');
    const inSession = await sandbox.process.executeSessionCommand('env-session', { command: 'printf %s "$ADDED"' });
    expect(inSession.stdout).toBe('added');
    let screen = '';
    const pty = await sandbox.process.createPty({ id: 'env-pty', onData: (data) => void (screen += Buffer.from(data).toString()) });
    await pty.waitForConnection();
    await pty.sendInput('echo "pty-sees-$ADDED"; exit\n');
    await pty.wait();
    expect(screen).toContain('pty-sees-added');

    // unsetValuePrefix: every variable whose value starts with it goes, except those being set.
    const update = await t.request(`/toolbox/${sandbox.id}/env`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ unsetValuePrefix: 'placeholder:', set: { SECRET_B: 'placeholder:b' } }),
    });
    expect(update.status).toBe(200);
    expect(await env('SECRET_A')).toBe('unset');
    expect(await env('SECRET_B')).toBe('placeholder:b');

    await expect(sandbox.updateEnv({ 'not a name': 'x' })).rejects.toBeInstanceOf(DaytonaError);

    await sandbox.stop();
    await sandbox.start();
    expect(await env('ADDED')).toBe('unset');
    expect(await env('KEPT')).toBe('kept');
  });

  it('reports its version', async () => {
    expect(await get('/version')).toEqual({ status: 200, body: { version: LOCAL_PROVIDER_VERSION } });
  });

  it('lists the ports listened on inside the sandbox and says whether one is in use', skipWhen(noPython, 'python3'), async () => {
    expect((await get('/port/4312/in-use')).body).toEqual({ isInUse: false });
    await sandbox.process.createSession('server');
    await sandbox.process.executeSessionCommand('server', { command: 'python3 -m http.server 4312 --bind 127.0.0.1', runAsync: true });
    await expect.poll(async () => (await get('/port')).body.ports, { timeout: 20_000 }).toContain(4312);
    expect((await get('/port/4312/in-use')).body).toEqual({ isInUse: true });
    expect((await get('/port/80/in-use')).status).toBe(400);
    await sandbox.process.deleteSession('server');
    await expect.poll(async () => (await get('/port/4312/in-use')).body, { timeout: 20_000 }).toEqual({ isInUse: false });
  });

  it('takes a file through the first version of the upload call (FileSystemApi.uploadFile)', async () => {
    const form = new FormData();
    form.append('file', new Blob(['uploaded the old way\n']), 'old.txt');
    const response = await t.request(`/toolbox/${sandbox.id}/files/upload?path=${encodeURIComponent('/home/daytona/old.txt')}`, {
      method: 'POST',
      body: form,
    });
    expect(response.status).toBe(200);
    expect((await sandbox.fs.downloadFile('/home/daytona/old.txt')).toString()).toBe('uploaded the old way\n');
    const outside = await t.request(`/toolbox/${sandbox.id}/files/upload?path=${encodeURIComponent('/etc/evil')}`, {
      method: 'POST',
      body: form,
    });
    expect(outside.status).toBe(403);
  });

  it("refuses /init on purpose (it sets up Daytona's in-sandbox daemon, which a local sandbox does not have)", async () => {
    const response = await t.request(`/toolbox/${sandbox.id}/init`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'x' }),
    });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { message: string }).message).toMatch(
      /^initialize \(POST \/toolbox\/\{sandboxId\}\/init\) is not supported/,
    );
  });
});
