import { spawnSync } from 'node:child_process';
import { Daytona, DaytonaAuthenticationError, DaytonaNotFoundError, DaytonaValidationError } from '@daytonaio/sdk';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlainTestProvider, startTestProvider, type TestProvider } from '../helpers/local-provider.ts';

function processesMatching(pattern: string): number[] {
  return spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Status and body of a raw request (the body parsed as JSON when it is JSON). */
async function call(t: TestProvider, path: string, init: RequestInit & { auth?: boolean | string } = {}) {
  const response = await t.request(path, init);
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body };
}

const post = (t: TestProvider, path: string, body: unknown, init: { auth?: boolean | string } = {}) =>
  call(t, path, { method: 'POST', headers: JSON_HEADERS, body: typeof body === 'string' ? body : JSON.stringify(body), ...init });

/** Daytona's main-API error shape: {statusCode, error, message, path, timestamp}. */
function expectApiError(result: { status: number; body: any }, status: number, error: string, message: string | RegExp, path?: string) {
  expect(result.status).toBe(status);
  expect(result.body).toMatchObject({ statusCode: status, error, ...(path ? { path } : {}) });
  expect(typeof result.body.timestamp).toBe('string');
  if (typeof message === 'string') expect(result.body.message).toBe(message);
  else expect(result.body.message).toMatch(message);
}

describe('local provider: bad input gets the right status and a message that says what to do', () => {
  let t: TestProvider;
  let started: { id: string };
  let stopped: { id: string };
  const unknownId = '00000000-0000-4000-8000-000000000000';

  beforeAll(async () => {
    t = await startTestProvider();
    started = await t.daytona.create({ name: 'bad-started' });
    const s = await t.daytona.create({ name: 'bad-stopped' });
    await s.stop();
    stopped = s;
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('authentication', () => {
    it('401 on the API without a bearer token, and with a wrong one', async () => {
      expectApiError(
        await call(t, '/sandbox', { auth: false }),
        401,
        'Unauthorized',
        'Missing API key: send Authorization: Bearer <api key>.',
        '/api/sandbox',
      );
      expectApiError(
        await call(t, '/sandbox', { auth: 'dtl_not-the-key' }),
        401,
        'Unauthorized',
        'Invalid API key: use the key the local provider printed at start.',
        '/api/sandbox',
      );
      expectApiError(
        await call(t, '/sandbox', { headers: { authorization: `Basic ${t.provider.apiKey}` }, auth: false }),
        401,
        'Unauthorized',
        /^Missing API key/,
      );
      // The SDK raises its typed error.
      const wrong = new Daytona({ apiUrl: t.provider.apiUrl, apiKey: 'dtl_wrong' });
      try {
        await expect(wrong.get(started.id)).rejects.toBeInstanceOf(DaytonaAuthenticationError);
      } finally {
        await wrong[Symbol.asyncDispose]();
      }
    });

    it('401 on the toolbox, in the daemon error shape', async () => {
      for (const auth of [false, 'dtl_not-the-key'] as const) {
        const result = await post(t, `/toolbox/${started.id}/process/execute`, { command: 'echo hi' }, { auth });
        expect(result.status).toBe(401);
        expect(result.body).toMatchObject({
          statusCode: 401,
          code: 'UNAUTHORIZED',
          source: 'DAYTONA_DAEMON',
          method: 'POST',
          path: `/toolbox/${started.id}/process/execute`,
        });
        expect(result.body.message).toMatch(auth ? /^Invalid API key/ : /^Missing API key/);
      }
    });

    it('refuses the Socket.IO handshake without the key, and accepts it with the key', async () => {
      const origin = t.provider.apiUrl.replace(/\/api$/, '');
      const attempt = (auth: Record<string, unknown>) =>
        new Promise<string>((resolve) => {
          const socket = io(origin, { path: '/api/socket.io/', transports: ['websocket'], auth, reconnection: false, timeout: 10_000 });
          socket.once('connect', () => {
            socket.close();
            resolve('connected');
          });
          socket.once('connect_error', (error) => {
            socket.close();
            resolve(error.message);
          });
        });
      expect(await attempt({})).toBe('Unauthorized: pass the API key as auth.token');
      expect(await attempt({ token: 'dtl_not-the-key' })).toBe('Unauthorized: pass the API key as auth.token');
      expect(await attempt({ token: t.provider.apiKey })).toBe('connected');
    });

    it('serves /api/config without a key (the SDK reads it before auth matters)', async () => {
      expect((await call(t, '/config', { auth: false })).status).toBe(200);
    });
  });

  describe('request bodies and fields', () => {
    it('400 on malformed JSON', async () => {
      expectApiError(
        await post(t, '/sandbox', '{"name": "half'),
        400,
        'Bad Request',
        /^Malformed JSON body: .+ Send a valid JSON object with Content-Type: application\/json\.$/,
        '/api/sandbox',
      );
      expectApiError(
        await call(t, `/sandbox/${started.id}/labels`, { method: 'PUT', headers: JSON_HEADERS, body: '{labels:' }),
        400,
        'Bad Request',
        /^Malformed JSON body/,
      );
    });

    it('413 on a JSON body over 1 MB', async () => {
      const result = await post(t, '/sandbox', { name: 'too-big', labels: { blob: 'x'.repeat(1024 * 1024 + 10) } });
      expectApiError(
        result,
        413,
        'Payload Too Large',
        'Request body is larger than the 1048576-byte limit: send a smaller body (files go through the toolbox upload, not JSON).',
        '/api/sandbox',
      );
      expect(t.provider.service.list().some((record) => record.name === 'too-big')).toBe(false);
    });

    it('400 naming the field on invalid create fields', async () => {
      const cases: [unknown, RegExp][] = [
        [{ autoStopInterval: 'abc' }, /^Invalid sandbox: 'autoStopInterval' /],
        [{ autoStopInterval: -1 }, /^Invalid sandbox: 'autoStopInterval' /],
        [{ autoArchiveInterval: 1.5 }, /^Invalid sandbox: 'autoArchiveInterval' must be a whole number of minutes/],
        [{ labels: 'app=web' }, /^Invalid sandbox: 'labels' /],
        [{ labels: { app: 7 } }, /^Invalid sandbox: 'labels\.app' /],
        [{ env: ['A=1'] }, /^Invalid sandbox: 'env' /],
        [{ name: 'has spaces!' }, /^Invalid sandbox: 'name' must be 1-63 letters, digits, dots, dashes or underscores/],
        [{ cpu: 0 }, /^Invalid sandbox: 'cpu' /],
        [{ public: 'yes' }, /^Invalid sandbox: 'public' /],
        [{ networkBlockAll: 1 }, /^Invalid sandbox: 'networkBlockAll' /],
        [[], /^Invalid sandbox: /],
      ];
      for (const [body, message] of cases) expectApiError(await post(t, '/sandbox', body), 400, 'Bad Request', message, '/api/sandbox');
    });

    it('400 saying why for GPUs, another user, 404 for a missing volume, and resources with a snapshot', async () => {
      expectApiError(
        await post(t, '/sandbox', { gpu: 1 }),
        400,
        'Bad Request',
        'GPUs are not available on the local provider: omit gpu, or use a Daytona Cloud profile.',
      );
      expectApiError(
        await post(t, '/sandbox', { volumes: [{ volumeId: 'v1', mountPath: '/data' }] }),
        404,
        'Not Found',
        "Volume 'v1' not found",
      );
      expectApiError(
        await post(t, '/sandbox', { user: 'root' }),
        400,
        'Bad Request',
        "Local sandboxes run as the 'daytona' user: omit user (got 'root').",
      );
      expectApiError(
        await post(t, '/sandbox', { snapshot: 'base', cpu: 2 }),
        400,
        'Bad Request',
        'Cannot specify Sandbox resources when using a snapshot: omit cpu/memory/disk, or create from an image.',
      );
    });

    it('409 on a duplicate name, saying what to do', async () => {
      expectApiError(
        await post(t, '/sandbox', { name: 'bad-started' }),
        409,
        'Conflict',
        'Sandbox with name bad-started already exists. Pick another name, or delete the existing sandbox first.',
      );
    });

    it('400 naming the query field on bad list parameters', async () => {
      expectApiError(await call(t, '/sandbox?limit=0'), 400, 'Bad Request', /^Invalid query: 'limit' .*>=1/);
      expectApiError(await call(t, '/sandbox?limit=500'), 400, 'Bad Request', /^Invalid query: 'limit' .*<=200/);
      expectApiError(await call(t, '/sandbox?limit=ten'), 400, 'Bad Request', /^Invalid query: 'limit' /);
      expectApiError(
        await call(t, '/sandbox?cursor=not-a-cursor'),
        400,
        'Bad Request',
        "Invalid query: 'cursor' is not a cursor this server returned. Start again without a cursor.",
      );
      expectApiError(
        await call(t, '/sandbox?labels=app%3Dweb'),
        400,
        'Bad Request',
        /^Invalid query: 'labels' must be a JSON object such as \{"app":"web"\}/,
      );
      expectApiError(await call(t, '/sandbox?labels=%7B%22a%22%3A1%7D'), 400, 'Bad Request', /^Invalid query labels: 'a' /);
      expectApiError(await call(t, '/sandbox?states=sleeping'), 400, 'Bad Request', /^Invalid query: 'states\.0' /);
      expectApiError(await call(t, '/sandbox?sort=size'), 400, 'Bad Request', /^Invalid query: 'sort' /);
      expectApiError(await call(t, '/sandbox?order=up'), 400, 'Bad Request', /^Invalid query: 'order' /);
    });

    it('400 on bad interval, label and port parameters', async () => {
      expectApiError(
        await post(t, `/sandbox/${started.id}/autostop/abc`, {}),
        400,
        'Bad Request',
        /^Invalid autostop interval \(minutes\): /,
      );
      expectApiError(
        await post(t, `/sandbox/${started.id}/autostop/-1`, {}),
        400,
        'Bad Request',
        /^Invalid autostop interval \(minutes\): /,
      );
      expectApiError(
        await post(t, `/sandbox/${started.id}/autoarchive/1.5`, {}),
        400,
        'Bad Request',
        /^Invalid autoarchive interval \(minutes\): /,
      );
      expectApiError(
        await call(t, `/sandbox/${started.id}/labels`, { method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify({ labels: ['a'] }) }),
        400,
        'Bad Request',
        /^Invalid labels: 'labels' /,
      );
      expectApiError(
        await call(t, `/sandbox/${started.id}/ports/70000/preview-url`),
        400,
        'Bad Request',
        'Invalid port: use an integer from 1 to 65535.',
      );
      expectApiError(
        await call(t, `/sandbox/${started.id}/ports/3000/signed-preview-url?expiresInSeconds=0`),
        400,
        'Bad Request',
        /^Invalid query 'expiresInSeconds' \(1 to 86400\): /,
      );
      // Nothing changed.
      expect((await t.daytona.get(started.id)).autoStopInterval).toBe(15);
    });
  });

  describe('unknown sandboxes and routes', () => {
    it('404 for every operation on an unknown sandbox, saying how to list them', async () => {
      const message = `Sandbox with ID or name ${unknownId} not found. List sandboxes with GET /api/sandbox.`;
      const requests: [string, RequestInit][] = [
        [`/sandbox/${unknownId}`, {}],
        [`/sandbox/${unknownId}/start`, { method: 'POST' }],
        [`/sandbox/${unknownId}/stop`, { method: 'POST' }],
        [`/sandbox/${unknownId}/archive`, { method: 'POST' }],
        [`/sandbox/${unknownId}`, { method: 'DELETE' }],
        [`/sandbox/${unknownId}/labels`, { method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify({ labels: {} }) }],
        [`/sandbox/${unknownId}/autostop/5`, { method: 'POST' }],
        [`/sandbox/${unknownId}/ports/3000/preview-url`, {}],
      ];
      for (const [path, init] of requests) expectApiError(await call(t, path, init), 404, 'Not Found', message);
      await expect(t.daytona.get(unknownId)).rejects.toBeInstanceOf(DaytonaNotFoundError);

      const toolbox = await post(t, `/toolbox/${unknownId}/process/execute`, { command: 'true' });
      expect(toolbox.status).toBe(404);
      expect(toolbox.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND', source: 'DAYTONA_DAEMON', message });
    });

    it('404 for an unknown route', async () => {
      expectApiError(await call(t, '/sandboxes'), 404, 'Not Found', 'Cannot GET /api/sandboxes: no such route on the local provider.');
    });
  });

  describe('operations in the wrong state', () => {
    it("400 archiving a started sandbox (Daytona's SandboxError): stop it first", async () => {
      expectApiError(
        await post(t, `/sandbox/${started.id}/archive`, {}),
        400,
        'Bad Request',
        `Sandbox is not stopped: sandbox ${started.id} is started; stop it first, then archive it.`,
      );
      expect((await t.daytona.get(started.id)).state).toBe('started');
    });

    it("400 on a toolbox call to a stopped sandbox, as Daytona's runner answers (no address to reach): start it first", async () => {
      const result = await post(t, `/toolbox/${stopped.id}/process/execute`, { command: 'echo hi' });
      expect(result.status).toBe(400);
      expect(result.body).toMatchObject({ statusCode: 400, code: 'BAD_REQUEST', source: 'DAYTONA_DAEMON' });
      expect(result.body.message).toBe(
        `Sandbox ${stopped.id} is stopped: start it first (sandbox.start(), or the start_sandbox tool), then retry.`,
      );
      const sandbox = await t.daytona.get(stopped.id);
      await expect(sandbox.process.executeCommand('echo hi')).rejects.toBeInstanceOf(DaytonaValidationError);
    });

    it('409 changing settings of a sandbox that is being deleted; 404 once it is gone', async () => {
      const doomed = await t.daytona.create({ name: 'bad-doomed' });
      const [deleted, relabel] = await Promise.all([
        call(t, `/sandbox/${doomed.id}`, { method: 'DELETE' }),
        call(t, `/sandbox/${doomed.id}/labels`, {
          method: 'PUT',
          headers: JSON_HEADERS,
          body: JSON.stringify({ labels: { late: 'yes' } }),
        }),
      ]);
      expect(deleted.status).toBe(200);
      // The label change was queued behind the delete: it must not bring the sandbox back.
      expect([404, 409]).toContain(relabel.status);
      expect(relabel.body.message).toMatch(
        /is being deleted: its settings can no longer change\.|was deleted\. List sandboxes with GET \/api\/sandbox\.|not found/,
      );
      await t.provider.service.idle();
      expectApiError(await call(t, `/sandbox/${doomed.id}`), 404, 'Not Found', /not found/);
    });
  });
});

describe('local provider without bubblewrap: a slow stop', () => {
  let t: TestProvider;
  beforeAll(async () => {
    // Plain processes get SIGTERM and a grace period (under bubblewrap SIGTERM ends the sandbox at once).
    t = await startPlainTestProvider();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('409 on toolbox calls and on a start while stopping (as on Daytona); once stopped, the start goes through', async () => {
    const events: string[] = [];
    const origin = t.provider.apiUrl.replace(/\/api$/, '');
    const socket = io(origin, { path: '/api/socket.io/', transports: ['websocket'], auth: { token: t.provider.apiKey } });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    try {
      const sandbox = await t.daytona.create({ name: 'slow-stop' });
      socket.on('sandbox.state.updated', (payload: any) => {
        if (payload.sandbox.id === sandbox.id) events.push(`${payload.oldState}>${payload.newState}`);
      });
      // The session's shell ignores SIGTERM, so the stop waits out its grace period before SIGKILL.
      await sandbox.process.createSession('stubborn');
      await sandbox.process.executeSessionCommand('stubborn', { command: "trap '' TERM" });
      const marker = `stubborn-${sandbox.id}`;
      await sandbox.process.executeSessionCommand('stubborn', { command: `bash -c 'exec -a ${marker} sleep 300'`, runAsync: true });
      await expect.poll(() => processesMatching(marker).length, { timeout: 10_000 }).toBe(1);

      expect((await post(t, `/sandbox/${sandbox.id}/stop`, {})).status).toBe(200);
      expect((await t.daytona.get(sandbox.id)).state).toBe('stopping');
      const during = await post(t, `/toolbox/${sandbox.id}/process/execute`, { command: 'echo hi' });
      expect(during.status).toBe(409);
      expect(during.body.message).toBe(
        `Sandbox ${sandbox.id} is stopping: start it first (sandbox.start(), or the start_sandbox tool), then retry.`,
      );

      const early = await post(t, `/sandbox/${sandbox.id}/start`, {});
      expect(early.status).toBe(409);
      expect(early.body.message).toBe(
        `Sandbox state change in progress: sandbox ${sandbox.id} is stopping. Wait until it settles, then retry.`,
      );
      await t.provider.service.idle();
      expect((await post(t, `/sandbox/${sandbox.id}/start`, {})).status).toBe(200);
      await t.provider.service.idle();
      expect((await t.daytona.get(sandbox.id)).state).toBe('started');
      await expect.poll(() => events).toEqual(['started>stopping', 'stopping>stopped', 'stopped>starting', 'starting>started']);
      // The stubborn processes are gone: nothing of the old run is left in the new one.
      expect(t.provider.service.runningProcessCount(sandbox.id)).toBe(0);
      expect(processesMatching(marker)).toEqual([]);
    } finally {
      socket.close();
    }
  });

  it('a stop leaves nothing behind when the shell exits on SIGTERM but what it started ignores it', async () => {
    const sandbox = await t.daytona.create({ name: 'orphans' });
    const marker = `orphan-${sandbox.id}`;
    await sandbox.process.createSession('s');
    await sandbox.process.executeSessionCommand('s', { command: `bash -c "trap '' TERM; exec -a ${marker} sleep 300"`, runAsync: true });
    await expect.poll(() => processesMatching(marker).length, { timeout: 10_000 }).toBe(1);
    await sandbox.stop();
    expect(sandbox.state).toBe('stopped');
    expect(processesMatching(marker)).toEqual([]);
  });
});
