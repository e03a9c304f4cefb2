import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { endedHow } from '../../main/local/toolbox/computer-use/desktop-process.ts';

const ended = async (script: string): Promise<ChildProcess> => {
  const child = spawn('/bin/sh', ['-c', script], { stdio: 'ignore' });
  await once(child, 'exit');
  return child;
};

// What a desktop process's "did not start" error says about how it ended (an exit without output said nothing).
describe('how a desktop process that did not come up ended', () => {
  it('names the signal that killed it', async () => {
    expect(endedHow(await ended('kill -KILL $$'))).toBe('killed by SIGKILL');
  });

  it('gives the exit code it exited with', async () => {
    expect(endedHow(await ended('exit 3'))).toBe('exit code 3');
  });

  it('says when it still runs', async () => {
    const child = spawn('/bin/sh', ['-c', 'sleep 30'], { stdio: 'ignore' });
    try {
      expect(endedHow(child)).toBe('still running, not ready in time');
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
});
