import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_CHANNELS, METHOD_CHANNELS, METHOD_NAMES } from '../../preload/contract.ts';
import { ensureBuiltWindow } from '../helpers/built-window.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { createFakeBridge } from '../fakes/fake-bridge.ts';

/** What the preload touches of Electron, recorded: the one thing it exposes, and its IPC traffic. */
interface ElectronDouble {
  exposed: Map<string, unknown>;
  invoked: [channel: string, request: unknown][];
  listeners: Map<string, ((event: unknown, payload: unknown) => void)[]>;
}

/**
 * The sandboxed preload as the window loads it (out/preload/index.cjs), run in a fresh context where
 * `require('electron')` is a typed double: Electron's binary cannot run here.
 */
function loadPreload(): ElectronDouble {
  const double: ElectronDouble = { exposed: new Map(), invoked: [], listeners: new Map() };
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => double.exposed.set(key, api) },
    ipcRenderer: {
      invoke: (channel: string, request: unknown) => {
        double.invoked.push([channel, request]);
        return Promise.resolve({ ok: true, value: undefined });
      },
      on: (channel: string, handler: (event: unknown, payload: unknown) => void) => {
        double.listeners.set(channel, [...(double.listeners.get(channel) ?? []), handler]);
      },
      removeListener: (channel: string, handler: (event: unknown, payload: unknown) => void) => {
        double.listeners.set(
          channel,
          (double.listeners.get(channel) ?? []).filter((h) => h !== handler),
        );
      },
    },
  };
  const require = (name: string) => {
    if (name === 'electron') return electron;
    throw new Error(`a sandboxed preload may not require ${name}`);
  };
  const module = { exports: {} };
  const source = readFileSync(join(REPO_ROOT, 'out', 'preload', 'index.cjs'), 'utf8');
  runInNewContext(source, { require, module, exports: module.exports, Object, TypeError });
  return double;
}

describe('the built sandboxed preload', () => {
  beforeAll(() => ensureBuiltWindow(), 120_000);

  it("exposes only window.bridge, with exactly the contract's keys (the same keys as the fake bridge the browser tests use)", () => {
    const { exposed } = loadPreload();
    expect([...exposed.keys()]).toEqual(['bridge']);
    const bridge = exposed.get('bridge') as Record<string, unknown>;
    const contract = [...METHOD_NAMES, ...Object.keys(EVENT_CHANNELS)].sort();
    expect(Object.keys(bridge).sort()).toEqual(contract);
    expect(Object.keys(createFakeBridge().bridge).sort()).toEqual(contract);
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it("sends each method on its channel with the request, and passes events on without Electron's event object", async () => {
    const double = loadPreload();
    const bridge = double.exposed.get('bridge') as Record<string, (arg?: unknown) => unknown>;
    await bridge.startSandbox!({ id: 'sbx-1' });
    expect(double.invoked).toEqual([[METHOD_CHANNELS.startSandbox, { id: 'sbx-1' }]]);

    const [event, channel] = Object.entries(EVENT_CHANNELS)[0]!;
    const received: unknown[] = [];
    const unsubscribe = bridge[event]!((payload: unknown) => received.push(payload)) as () => void;
    for (const handler of double.listeners.get(channel) ?? []) handler({ sender: 'ipc internals' }, { hello: 1 });
    expect(received).toEqual([{ hello: 1 }]);
    unsubscribe();
    expect(double.listeners.get(channel)).toEqual([]);
    expect(() => bridge[event]!('not a function')).toThrow(TypeError);
  });
});
