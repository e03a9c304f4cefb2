import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SNAPSHOT } from '../../main/local/sandbox-record.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { bubblewrapSkipReason, skipWhen } from '../helpers/skip.ts';
import { until } from '../helpers/until.ts';

const noBwrap = bubblewrapSkipReason();

async function sh(sandbox: Sandbox, command: string): Promise<string> {
  const reply = await sandbox.process.executeCommand(command);
  expect(reply.exitCode, reply.result).toBe(0);
  return reply.result.trim();
}

describe('the warm pool of started sandboxes', skipWhen(noBwrap, 'bubblewrap'), () => {
  let t: TestProvider;
  const logs: string[] = [];

  beforeAll(async () => {
    t = await startTestProvider({ warmPoolSize: 2, log: (line) => logs.push(line) });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  const warm = () => until('the pool to fill', 30_000, () => t.provider.warmPool.currentSize === t.provider.warmPool.size);

  it('hands each pooled sandbox to one sandbox only, named and networked as that sandbox', async () => {
    await warm();
    const before = t.provider.warmPool.handedOut;
    // More creates at once than the pool holds: some take pooled sandboxes, the rest start the usual way.
    const sandboxes = await Promise.all([
      t.daytona.create(),
      t.daytona.create({ name: 'pooled-by-name' }),
      t.daytona.create({ networkBlockAll: true }),
      t.daytona.create(),
    ]);
    try {
      expect(new Set(sandboxes.map((sandbox) => sandbox.id)).size).toBe(sandboxes.length);
      expect(t.provider.warmPool.handedOut - before).toBeGreaterThanOrEqual(2);
      const seen = await Promise.all(sandboxes.map((sandbox) => sh(sandbox, 'readlink /proc/self/ns/pid; hostname')));
      const namespaces = seen.map((text) => text.split('\n')[0]);
      expect(new Set(namespaces).size).toBe(sandboxes.length);
      // Each answers to its own name (the named one was renamed after it was taken).
      seen.forEach((text, index) => expect(text.split('\n')[1]).toBe(index === 1 ? 'pooled-by-name' : sandboxes[index]!.id));
      // The one created with its network blocked got the block, pooled or not.
      const blocked = await sandboxes[2]!.process.executeCommand(
        'curl -sS -m 3 http://1.1.1.1 >/dev/null 2>&1 && echo open || echo blocked',
      );
      expect(blocked.result.trim()).toBe('blocked');
    } finally {
      await Promise.all(sandboxes.map((sandbox) => sandbox.delete()));
    }
  });

  it("gives a new sandbox none of a previous sandbox's files or processes", async () => {
    await warm();
    const marker = `marker-${randomInt(100_000, 999_999)}`;
    const first = await t.daytona.create();
    const sleep = `sleep 300.${randomInt(100_000, 999_999)}`;
    await sh(first, `echo ${marker} > ~/${marker}; echo ${marker} > /tmp/${marker}; (${sleep} >/dev/null 2>&1 &)`);
    expect(await sh(first, 'ps -eo args')).toContain(sleep);
    await first.delete();
    await warm();
    const before = t.provider.warmPool.handedOut;
    const second = await t.daytona.create();
    try {
      expect(t.provider.warmPool.handedOut).toBe(before + 1);
      expect(await sh(second, 'ls -A ~ /tmp')).toBe('/home/daytona:\n\n/tmp:');
      const processes = await sh(second, 'ps -eo args');
      expect(processes).not.toContain(sleep);
      expect(processes).not.toContain(marker);
      expect(await sh(second, `grep -rl ${marker} ~ /tmp 2>/dev/null || echo none`)).toBe('none');
    } finally {
      await second.delete();
    }
  });

  it('starts sandboxes the usual way at size zero, and the SDK sees and changes the pool', async () => {
    const pools = await t.daytona.warmPool.list();
    expect(pools).toEqual([expect.objectContaining({ id: 'local', snapshot: LOCAL_SNAPSHOT, pool: 2 })]);
    await t.daytona.warmPool.update('local', { pool: 0 });
    expect(await t.daytona.warmPool.list()).toEqual([]);
    expect(t.provider.warmPool.currentSize).toBe(0);
    const before = t.provider.warmPool.handedOut;
    const cold = await t.daytona.create();
    expect(await sh(cold, 'echo cold')).toBe('cold');
    expect(t.provider.warmPool.handedOut).toBe(before);
    await cold.delete();
    await expect(t.daytona.warmPool.update('local', { pool: 1 })).rejects.toThrow(/not found/i);
    await expect(t.daytona.warmPool.create({ snapshot: 'python:3.12', pool: 1 })).rejects.toThrow(/one snapshot only/);
    const created = await t.daytona.warmPool.create({ snapshot: LOCAL_SNAPSHOT, pool: 1 });
    expect(created).toMatchObject({ id: 'local', pool: 1 });
    await expect(t.daytona.warmPool.create({ snapshot: LOCAL_SNAPSHOT, pool: 1 })).rejects.toThrow(/already exists/);
    await until('the pool to fill again', 30_000, () => t.provider.warmPool.currentSize === 1);
    expect((await t.daytona.warmPool.list())[0]).toMatchObject({ pool: 1, currentSize: 1 });
    await t.daytona.warmPool.delete('local');
    expect(await t.daytona.warmPool.list()).toEqual([]);
  });
});

/** This process's children that are bubblewrap: one per started sandbox, pooled or not (the provider runs in-process). */
function bwrapChildren(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(stat) ?? [];
        return comm === 'bwrap' && Number(rest?.split(' ')[1]) === process.pid;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

describe('a create whose record cannot be written', skipWhen(noBwrap, 'bubblewrap'), () => {
  it('answers with the error, lists nothing, and stops the pooled sandbox it had taken', async () => {
    const t = await startTestProvider({ warmPoolSize: 1 });
    const meta = join(t.dataDir, 'meta');
    try {
      const pool = t.provider.warmPool;
      await until('the pool to fill', 30_000, () => pool.currentSize === 1);
      expect(bwrapChildren()).toHaveLength(1);
      // The record's write and the pooled sandbox's take run side by side: make the write fail (meta is a file now).
      await rename(meta, `${meta}.away`);
      await writeFile(meta, '');
      await expect(t.daytona.create()).rejects.toThrow(/could not be saved .*not created/);
      expect(pool.handedOut).toBe(1);
      expect(t.provider.service.list()).toEqual([]);
      await rm(meta);
      await rename(`${meta}.away`, meta);
      // Only the refill's sandbox runs: the one taken for the failed create was stopped before the answer.
      await until('the pool to fill again', 30_000, () => pool.currentSize === 1);
      expect(bwrapChildren()).toHaveLength(1);
      expect((await readdir(join(t.dataDir, 'sandboxes'))).filter((name) => !name.startsWith('.'))).toEqual([]);
      const next = await t.daytona.create();
      expect(await sh(next, 'echo ok')).toBe('ok');
      await next.delete();
    } finally {
      await rm(`${meta}.away`, { recursive: true, force: true });
      await t.stop();
    }
  }, 90_000);
});
