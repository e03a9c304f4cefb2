import { DaytonaValidationError, type ListSandboxesQuery, type Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';

// Daytona's list (apps/api/src/sandbox/adapters/sandbox-typeorm-search.adapter.ts): keyset cursor, every filter
// the SDK sends, case-insensitive prefixes, and `destroyed` refused as a state filter.
describe('local provider lists like Daytona, through the unmodified SDK', () => {
  let t: TestProvider;
  const names = async (query: ListSandboxesQuery) => {
    const seen: string[] = [];
    for await (const sandbox of t.daytona.list(query)) seen.push(sandbox.name);
    return seen.sort();
  };

  beforeAll(async () => {
    t = await startTestProvider();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('visits every sandbox when the ones already visited are deleted during the iteration', async () => {
    for (let i = 0; i < 5; i++) await t.daytona.create({ name: `keyset-del-${i}`, labels: { suite: 'keyset-del' } });
    const visited: string[] = [];
    for await (const sandbox of t.daytona.list({ labels: { suite: 'keyset-del' }, limit: 2, sort: 'createdAt', order: 'asc' })) {
      visited.push(sandbox.name);
      await sandbox.delete(60, true); // waits until it is gone
    }
    expect(visited).toEqual(['keyset-del-0', 'keyset-del-1', 'keyset-del-2', 'keyset-del-3', 'keyset-del-4']);
    expect(await names({ labels: { suite: 'keyset-del' } })).toEqual([]);
  });

  it('visits each sandbox once when others are created during the iteration (new ones sorted after are reached)', async () => {
    for (let i = 0; i < 3; i++) await t.daytona.create({ name: `keyset-ins-${i}`, labels: { suite: 'keyset-ins' } });
    const visited: string[] = [];
    for await (const sandbox of t.daytona.list({ labels: { suite: 'keyset-ins' }, limit: 2, sort: 'createdAt', order: 'asc' })) {
      visited.push(sandbox.name);
      if (visited.length === 1) await t.daytona.create({ name: 'keyset-ins-late', labels: { suite: 'keyset-ins' } });
    }
    expect(visited).toEqual(['keyset-ins-0', 'keyset-ins-1', 'keyset-ins-2', 'keyset-ins-late']);
  });

  it('applies the resource, public, date, target and case-insensitive prefix filters the SDK sends', async () => {
    const small: Sandbox = await t.daytona.create({
      name: 'Filter-Alpha',
      labels: { suite: 'filters' },
      image: 'python:3.12-slim',
      resources: { cpu: 1, memory: 1, disk: 3 },
    });
    await new Promise((resolve) => setTimeout(resolve, 20)); // two distinct creation times
    const between = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const big: Sandbox = await t.daytona.create({
      name: 'filter-beta',
      labels: { suite: 'filters' },
      public: true,
      image: 'python:3.12-slim',
      resources: { cpu: 2, memory: 3, disk: 5 },
    });
    const labels = { suite: 'filters' };
    expect(await names({ labels })).toEqual(['Filter-Alpha', 'filter-beta']);
    expect(await names({ labels, minCpu: 2 })).toEqual(['filter-beta']);
    expect(await names({ labels, maxCpu: 1 })).toEqual(['Filter-Alpha']);
    expect(await names({ labels, minMemoryGib: 2, maxMemoryGib: 3 })).toEqual(['filter-beta']);
    expect(await names({ labels, maxDiskGib: 4 })).toEqual(['Filter-Alpha']);
    expect(await names({ labels, isPublic: true })).toEqual(['filter-beta']);
    expect(await names({ labels, isPublic: false })).toEqual(['Filter-Alpha']);
    expect(await names({ labels, createdAtAfter: between })).toEqual(['filter-beta']);
    expect(await names({ labels, createdAtBefore: between })).toEqual(['Filter-Alpha']);
    expect(await names({ labels, targets: ['local'] })).toEqual(['Filter-Alpha', 'filter-beta']);
    expect(await names({ labels, targets: ['us'] })).toEqual([]);
    expect(await names({ labels, isRecoverable: true })).toEqual([]);
    expect(await names({ name: 'FILTER-' })).toEqual(['Filter-Alpha', 'filter-beta']);
    expect(await names({ name: 'filter-a' })).toEqual(['Filter-Alpha']);
    expect(await names({ id: small.id.slice(0, 8).toUpperCase() })).toEqual(['Filter-Alpha']);
    expect(await names({ id: big.id })).toEqual(['filter-beta']);
  });

  it('sorts by last activity, newest first, when the caller names no order (Daytona’s default)', async () => {
    const older = await t.daytona.create({ name: 'recent-a', labels: { suite: 'recent' } });
    await t.daytona.create({ name: 'recent-b', labels: { suite: 'recent' } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await older.refreshActivity();
    const order: string[] = [];
    for await (const sandbox of t.daytona.list({ labels: { suite: 'recent' } })) order.push(sandbox.name);
    expect(order).toEqual(['recent-a', 'recent-b']);
  });

  it('refuses states=destroyed with Daytona’s 400, raised by the SDK as a validation error', async () => {
    const iteration = names({ states: ['destroyed' as never] });
    await expect(iteration).rejects.toBeInstanceOf(DaytonaValidationError);
    await expect(names({ states: ['destroyed' as never] })).rejects.toThrow(/each value must be one of the following values: .*started/);
  });
});
