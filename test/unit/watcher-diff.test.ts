import { describe, expect, it } from 'vitest';
import { createRequestedActions } from '../../main/core/watcher/requested-actions.ts';
import { diffSnapshots, type SandboxChange } from '../../main/core/watcher/sandbox-diff.ts';
import { parseSandbox, type WatchedSandbox } from '../../main/core/watcher/watched-sandbox.ts';

function sandbox(id: string, overrides: Partial<WatchedSandbox> = {}): WatchedSandbox {
  return { id, name: `name-${id}`, state: 'started', cpu: 1, gpu: 0, memory: 1, disk: 3, ...overrides };
}

const map = (...items: WatchedSandbox[]) => new Map(items.map((item) => [item.id, item]));
const kinds = (changes: SandboxChange[]) =>
  changes.map((change) => `${change.type}:${'sandbox' in change ? change.sandbox.id : change.old.id}`).sort();

describe('diffSnapshots', () => {
  it('reports added, removed, state and resource changes with the old and new sandbox', () => {
    const before = map(sandbox('a'), sandbox('b'), sandbox('c'), sandbox('d'));
    const after = map(sandbox('a'), sandbox('b', { state: 'stopped' }), sandbox('c', { cpu: 4, memory: 8 }), sandbox('e'));
    const changes = diffSnapshots(before, after);
    expect(kinds(changes)).toEqual(['added:e', 'removed:d', 'resources:c', 'state:b']);
    const state = changes.find((change) => change.type === 'state')!;
    expect(state).toMatchObject({
      from: 'started',
      to: 'stopped',
      requested: false,
      old: { state: 'started' },
      sandbox: { state: 'stopped' },
    });
    const resources = changes.find((change) => change.type === 'resources')!;
    expect(resources).toMatchObject({ old: { cpu: 1, memory: 1 }, sandbox: { cpu: 4, memory: 8 } });
  });

  it('reports both a state and a resource change of one sandbox, and nothing for identical snapshots', () => {
    const before = map(sandbox('a'));
    expect(kinds(diffSnapshots(before, map(sandbox('a', { state: 'resizing', disk: 10 }))))).toEqual(['resources:a', 'state:a']);
    expect(diffSnapshots(before, map(sandbox('a')))).toEqual([]);
    expect(diffSnapshots(before, before)).toEqual([]);
  });

  it('marks the first listing as initial', () => {
    const changes = diffSnapshots(new Map(), map(sandbox('a')), undefined, true);
    expect(changes).toEqual([{ type: 'added', sandbox: sandbox('a'), initial: true }]);
  });

  it('marks transitions this app asked for as requested, matching the action to the new state', () => {
    const requested = createRequestedActions();
    requested.noteRequestedStop('a');
    requested.note('c', 'delete');
    const before = map(sandbox('a'), sandbox('b'), sandbox('c', { state: 'stopped' }));
    const after = map(sandbox('a', { state: 'stopping' }), sandbox('b', { state: 'stopping' }));
    const changes = diffSnapshots(before, after, (id, action) => requested.wasRequested(id, action));
    expect(changes.find((change) => change.type === 'state' && change.sandbox.id === 'a')).toMatchObject({ requested: true });
    expect(changes.find((change) => change.type === 'state' && change.sandbox.id === 'b')).toMatchObject({ requested: false });
    expect(changes.find((change) => change.type === 'removed')).toMatchObject({ old: { id: 'c' }, requested: true });
  });
});

describe('requested actions', () => {
  it('forgets a request after the grace window; a delete also covers the stop it implies', () => {
    let now = 1_000;
    const requested = createRequestedActions({ now: () => now, graceMs: 60_000 });
    requested.noteRequestedStop('a');
    requested.note('b', 'delete');
    expect(requested.wasRequested('a', 'stop')).toBe(true);
    expect(requested.wasRequested('a', 'archive')).toBe(false);
    expect(requested.wasRequested('b', 'stop')).toBe(true);
    now += 59_999;
    expect(requested.wasRequested('a', 'stop')).toBe(true);
    now += 1;
    expect(requested.wasRequested('a', 'stop')).toBe(false);
    expect(requested.wasRequested('b', 'delete')).toBe(false);
  });
});

describe('parseSandbox', () => {
  it('keeps what the tray needs from a full DTO and drops the rest', () => {
    const parsed = parseSandbox({
      id: 's1',
      name: 'web',
      organizationId: 'org',
      state: 'started',
      desiredState: 'started',
      cpu: 2,
      gpu: 0,
      memory: 4,
      disk: 10,
      autoStopInterval: 15,
      autoArchiveInterval: 10080,
      autoDeleteInterval: -1,
      lastActivityAt: '2026-01-01T00:00:00.000Z',
      env: { SECRET: 'x' },
      toolboxProxyUrl: 'http://x',
      labels: { app: 'web' },
    });
    expect(parsed).toEqual({
      id: 's1',
      name: 'web',
      organizationId: 'org',
      state: 'started',
      desiredState: 'started',
      cpu: 2,
      gpu: 0,
      memory: 4,
      disk: 10,
      autoStopInterval: 15,
      autoArchiveInterval: 10080,
      autoDeleteInterval: -1,
      lastActivityAt: '2026-01-01T00:00:00.000Z',
      labels: { app: 'web' },
    });
  });

  it('is lenient with odd fields but needs an id', () => {
    expect(parseSandbox({ id: 's2', state: 'brand_new_state', cpu: 'many' })).toEqual({
      id: 's2',
      name: 's2',
      state: 'brand_new_state',
      cpu: 0,
      gpu: 0,
      memory: 0,
      disk: 0,
    });
    expect(parseSandbox({ name: 'no id' })).toBeUndefined();
    expect(parseSandbox(null)).toBeUndefined();
  });
});
