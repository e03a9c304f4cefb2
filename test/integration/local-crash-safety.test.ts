import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBubblewrap } from '../../main/local/sandbox-runner.ts';
import { cliEnv, startCliProvider, type CliProvider } from '../helpers/local-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** Host pids whose command line contains `pattern`. */
function processesMatching(pattern: string): number[] {
  const result = spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' });
  return result.stdout.split('\n').filter(Boolean).map(Number);
}

const bwrap = findBubblewrap();
// Without bubblewrap, sandbox processes are plain host processes: nothing kills them when the provider
// is SIGKILLed (no PR_SET_PDEATHSIG from Node), so the "no survivor" check needs bwrap.
if (!bwrap) console.warn('local-crash-safety: bubblewrap is unusable here, so the no-surviving-process check is skipped');

describe('local provider crash safety: SIGKILL mid-work, restart on the same data dir', () => {
  const marker = `crash-marker-${randomUUID()}`;
  let home: { path: string; cleanup: () => Promise<void> };
  let dataDir: string;
  let first: CliProvider;
  let second: CliProvider | undefined;
  const files: Record<string, string> = {
    'notes.txt': 'first line\nsecond line\n',
    'src/app/main.py': 'print("hello from a file that must survive")\n',
    'data/blob.bin': 'x'.repeat(16 * 1024),
  };
  /** Writes `files` through the toolbox (exec), exactly, as a sandbox program would. */
  const writeFiles = async (sandbox: Sandbox) => {
    for (const [path, content] of Object.entries(files)) {
      const b64 = Buffer.from(content).toString('base64');
      const result = await sandbox.process.executeCommand(`mkdir -p "$(dirname ${path})" && echo ${b64} | base64 -d > ${path}`);
      expect(result.exitCode, result.result).toBe(0);
    }
  };
  /** Reads a file back through the toolbox, exactly (base64 keeps trailing newlines). */
  const readBack = async (sandbox: Sandbox, path: string) =>
    Buffer.from((await sandbox.process.executeCommand(`base64 -w0 ${path}`)).result.trim(), 'base64').toString();
  let running: Sandbox;
  let stopped: Sandbox;
  let archived: Sandbox;
  let acknowledgedSeq = -1;

  beforeAll(async () => {
    home = await tempDir('daytona-tray-crash-');
    dataDir = join(home.path, 'data');
    first = await startCliProvider(['--data-dir', dataDir], cliEnv(home.path));
  });
  afterAll(async () => {
    if (first && first.child.exitCode === null && first.child.signalCode === null) await first.stop('SIGKILL');
    await second?.stop();
    await home?.cleanup();
  });

  it('takes sandboxes with files, one running a long process, then is SIGKILLed mid-request', async () => {
    running = await first.daytona.create({ name: 'crash-running', labels: { seq: 'start' } });
    stopped = await first.daytona.create({ name: 'crash-stopped' });
    archived = await first.daytona.create({ name: 'crash-archived' });
    for (const sandbox of [running, stopped, archived]) await writeFiles(sandbox);
    await stopped.stop();
    await archived.stop();
    await archived.archive();

    await running.process.createSession('bg');
    await running.process.executeSessionCommand('bg', { command: `bash -c 'exec -a ${marker} sleep 600'`, runAsync: true });
    await expect.poll(() => processesMatching(marker).length, { timeout: 10_000 }).toBe(1);

    // Mid-work: metadata writes keep going while the provider dies.
    let stopWriting = false;
    const writer = (async () => {
      for (let seq = 0; !stopWriting; seq++) {
        try {
          await running.setLabels({ seq: String(seq) });
          acknowledgedSeq = seq;
        } catch {
          return; // the provider is gone
        }
      }
    })();
    await expect.poll(() => acknowledgedSeq, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    const creating = first.daytona.create({ name: 'crash-in-flight' }).catch(() => undefined);
    const exit = await first.stop('SIGKILL');
    stopWriting = true;
    await writer;
    await creating;
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it.skipIf(!bwrap)('leaves no sandbox process behind (bubblewrap dies with the provider)', async () => {
    await expect.poll(() => processesMatching(marker), { timeout: 10_000 }).toEqual([]);
    await expect.poll(() => processesMatching(join(dataDir, 'sandboxes')), { timeout: 10_000 }).toEqual([]);
  });

  it('comes back on the same data dir with every sandbox and file; running ones are stopped', async () => {
    second = await startCliProvider(['--data-dir', dataDir], cliEnv(home.path));
    expect(second.stderr()).not.toMatch(/could not read sandbox metadata/);
    // No half-written metadata: every file parses, and no temp file is left behind.
    expect((await readdir(join(dataDir, 'meta'))).filter((name) => !name.endsWith('.json'))).toEqual([]);

    const byName = new Map<string, string>();
    for await (const item of second.daytona.list()) byName.set(item.name, String(item.state));
    expect(byName.get('crash-running')).toBe('stopped');
    expect(byName.get('crash-stopped')).toBe('stopped');
    expect(byName.get('crash-archived')).toBe('archived');
    // The create that raced the kill either finished (and is a stopped sandbox now) or never existed.
    if (byName.has('crash-in-flight')) expect(byName.get('crash-in-flight')).toBe('stopped');

    const again = await second.daytona.get(running.id);
    expect(again.state).toBe('stopped');
    expect(again.desiredState).toBe('stopped');
    // Every acknowledged label write is there (a write that landed just before the kill may be one ahead).
    expect(Number(again.labels.seq)).toBeGreaterThanOrEqual(acknowledgedSeq);
    expect(Number(again.labels.seq)).toBeLessThanOrEqual(acknowledgedSeq + 1);
  });

  it('starts the recovered sandboxes again, with their files, and without resurrecting old processes', async () => {
    for (const id of [running.id, stopped.id, archived.id]) {
      const sandbox = await second!.daytona.get(id);
      await sandbox.start();
      expect(sandbox.state).toBe('started');
      for (const [path, content] of Object.entries(files)) {
        expect(await readBack(sandbox, path), `${sandbox.name}:${path}`).toBe(content);
        // And on the host, where the provider keeps them.
        expect(await readFile(join(dataDir, 'sandboxes', id, 'home', path), 'utf8')).toBe(content);
      }
      expect((await sandbox.process.executeCommand('cat notes.txt | wc -l')).result.trim()).toBe('2');
    }
    expect(processesMatching(marker)).toEqual([]);
    // Sessions died with the provider; a new one with the same id can be made.
    const sandbox = await second!.daytona.get(running.id);
    await sandbox.process.createSession('bg');
    expect((await sandbox.process.executeSessionCommand('bg', { command: 'echo fresh' })).output?.trim()).toBe('fresh');

    const exit = await second!.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
  });
});
