import { describe, expect, it } from 'vitest';
import {
  registerBridgeHandlers,
  trustedSender,
  type BridgeHandlers,
  type IpcMainPort,
  type IpcSender,
} from '../../main/app/ipc-registry.ts';
import { ClientSetupError } from '../../main/core/clients/types.ts';
import { SecretStoreError } from '../../main/core/secrets/secret-store.ts';
import { HttpError } from '../../main/core/http/http-errors.ts';
import { METHOD_CHANNELS, METHOD_NAMES, type Result } from '../../preload/contract.ts';

const RENDERER = 'file:///opt/Daytona%20Tray/resources/app.asar/out/renderer/index.html';
const WINDOW_ID = 7;
const ours: IpcSender = { webContentsId: WINDOW_ID, frameUrl: RENDERER, isMainFrame: true };

/** ipcMain as the registry sees it: records handlers so a test can invoke a channel like the window does. */
function recordingPort() {
  const handlers = new Map<string, (sender: IpcSender, payload: unknown) => Promise<unknown>>();
  const port: IpcMainPort = {
    handle(channel, listener) {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const invoke = (channel: string, sender: IpcSender, payload?: unknown) => {
    const handler = handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(sender, payload) as Promise<Result<unknown>>;
  };
  return { port, handlers, invoke };
}

/** Every method answers; the calls are recorded so a test can tell whether a service was reached. */
function recordingHandlers() {
  const calls: { method: string; request: unknown }[] = [];
  const handlers = Object.fromEntries(
    METHOD_NAMES.map((method) => [
      method,
      async (request: unknown) => {
        calls.push({ method, request });
        return { ok: true, value: undefined };
      },
    ]),
  ) as unknown as BridgeHandlers;
  return { handlers, calls };
}

function setup(overrides: Partial<BridgeHandlers> = {}) {
  const ipc = recordingPort();
  const { handlers, calls } = recordingHandlers();
  const logs: string[] = [];
  const unregister = registerBridgeHandlers(
    ipc.port,
    { ...handlers, ...overrides },
    { isTrusted: trustedSender({ webContentsId: () => WINDOW_ID, rendererUrl: RENDERER }), log: (line) => logs.push(line) },
  );
  return { ...ipc, calls, logs, unregister };
}

describe('IPC registry', () => {
  it('registers exactly one handler per contract method, on its domain:action channel, and removes them all', () => {
    const { handlers, unregister } = setup();
    expect([...handlers.keys()].sort()).toEqual(Object.values(METHOD_CHANNELS).sort());
    unregister();
    expect(handlers.size).toBe(0);
  });

  it('passes a valid payload from our window to the handler, parsed (the key trimmed), and returns its result', async () => {
    const { invoke, calls } = setup({ startSandbox: async (request) => ({ ok: true, value: undefined, echo: request }) as never });
    await expect(invoke('sandbox:start', ours, { id: 'sb-1' })).resolves.toMatchObject({ ok: true, echo: { id: 'sb-1' } });
    await invoke('profile:save-api-key', ours, { apiKey: '  dtn_secret  ' });
    expect(calls).toEqual([{ method: 'saveApiKey', request: { apiKey: 'dtn_secret' } }]);
    await invoke('state:get', { ...ours, frameUrl: `${RENDERER}#/settings` });
    expect(calls.at(-1)).toEqual({ method: 'getState', request: undefined });
  });

  it('refuses a foreign sender before any service is reached: another webContents, a subframe, another page, no frame', async () => {
    const { invoke, calls, logs } = setup();
    const foreign: IpcSender[] = [
      { ...ours, webContentsId: 99 },
      { ...ours, isMainFrame: false },
      { ...ours, frameUrl: 'https://evil.example/index.html' },
      { ...ours, frameUrl: 'file:///tmp/other/index.html' },
      { ...ours, frameUrl: undefined },
    ];
    for (const sender of foreign) {
      const result = await invoke('sandbox:delete', sender, { id: 'sb-1' });
      expect(result).toEqual({
        ok: false,
        error: { code: 'bad-request', message: expect.stringContaining('did not come from the Daytona Tray window') },
      });
    }
    expect(calls).toEqual([]);
    expect(logs).toHaveLength(foreign.length);
    expect(logs.join('\n')).toContain('https://evil.example/index.html');
  });

  it('refuses an invalid payload with bad-request naming the field, without echoing the value', async () => {
    const { invoke, calls } = setup();
    const cases: [string, unknown][] = [
      ['sandbox:start', { id: '' }],
      ['sandbox:start', { id: 'sb-1', extra: true }],
      ['sandbox:open-preview', { id: 'sb-1', port: 70_000 }],
      ['client:connect', { id: 'notepad' }],
      ['settings:update', { mcpPort: -1 }],
      ['state:get', { unexpected: 1 }],
      ['sandbox:stop', 'sb-1'],
    ];
    for (const [channel, payload] of cases) {
      const result = await invoke(channel, ours, payload);
      expect(result.ok, `${channel} ${JSON.stringify(payload)}`).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('bad-request');
    }
    const secret = 'dtn_' + 'k'.repeat(600);
    const tooLong = await invoke('profile:save-api-key', ours, { apiKey: secret });
    expect(tooLong.ok).toBe(false);
    expect(JSON.stringify(tooLong)).not.toContain('kkkk');
    expect(calls).toEqual([]);
  });

  it('turns a thrown error into an error value: core errors keep their words under their code, others say what to do', async () => {
    const { invoke, logs } = setup({
      connectClient: async () => {
        throw new ClientSetupError('PARSE', 'Cannot parse /home/u/.cursor/mcp.json: fix it and try again.', '/home/u/.cursor/mcp.json');
      },
      saveApiKey: async () => {
        throw new SecretStoreError('locked', 'The Secret Service keyring is locked. Unlock it, then try again.');
      },
      stopSandbox: async () => {
        throw new HttpError(401, 'https://app.daytona.io/api/sandbox/x/stop answered 401: Unauthorized');
      },
      restartServer: async () => {
        throw new TypeError('boom');
      },
    });
    expect(await invoke('client:connect', ours, { id: 'cursor' })).toEqual({
      ok: false,
      error: { code: 'client-setup', message: 'Cannot parse /home/u/.cursor/mcp.json: fix it and try again.' },
    });
    expect(await invoke('profile:save-api-key', ours, { apiKey: 'k' })).toMatchObject({ ok: false, error: { code: 'keychain' } });
    expect(await invoke('sandbox:stop', ours, { id: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'rejected', message: expect.stringContaining('Replace it in Settings') },
    });
    expect(await invoke('server:restart', ours)).toMatchObject({
      ok: false,
      error: { code: 'failed', message: expect.stringContaining('boom.') },
    });
    expect(logs).toHaveLength(4);
  });
});

describe('trustedSender', () => {
  it('follows the window: a new webContents id is trusted once the window is recreated', () => {
    const window: { id?: number } = {};
    const trust = trustedSender({ webContentsId: () => window.id, rendererUrl: RENDERER });
    expect(trust(ours)).toBe(false); // no window yet
    window.id = WINDOW_ID;
    expect(trust(ours)).toBe(true);
    expect(trust({ ...ours, frameUrl: `${RENDERER}?view=server` })).toBe(true);
    expect(trust({ ...ours, frameUrl: 'not a url' })).toBe(false);
  });
});
