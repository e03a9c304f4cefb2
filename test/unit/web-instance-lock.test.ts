import { afterEach, beforeEach, expect, it } from 'vitest';
import { claimWebInstance } from '../../main/web/web-instance.ts';
import { appModule, holdInChild } from '../helpers/lock-holder.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('daytona-tray-web-lock-');
});
afterEach(() => dir.cleanup());

it('a web app SIGKILLed while it held the data dir does not keep the next one from starting', async () => {
  const killed = await holdInChild(`const { claimWebInstance } = await import(${JSON.stringify(appModule('main/web/web-instance.ts'))});
    const claim = await claimWebInstance(${JSON.stringify(dir.path)}, () => {});
    if (claim.running) throw new Error('not the first');
    await claim.publish(9, 'x'.repeat(32));`);
  await killed.kill();
  const logged: string[] = [];
  // A live holder that does not answer would keep this waiting 30 s and then fail naming it.
  const claim = await claimWebInstance(dir.path, (line) => logged.push(line));
  expect(claim.running).toBe(false);
  if (claim.running) return;
  expect(claim.previous).toEqual({ port: 9, session: 'x'.repeat(32) });
  await claim.release();
  expect(logged).toEqual([]);
});
