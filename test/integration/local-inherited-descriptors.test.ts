import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.ts';
import { bubblewrapSkipReason, skipWhen } from '../helpers/skip.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// A provider started by a shell or a client that leaks a descriptor (no close-on-exec) must not pass it into its
// sandboxes: a command there could write into a host file or pipe. The provider here is a Node process that a shell
// started with fd 200 open on a host file.
const SANDBOX_SCRIPT = [
  'ls /proc/self/fd',
  'echo --',
  'for fd in /proc/[0-9]*/fd/200; do [ -e "$fd" ] || continue; echo leaked >>"$fd"; echo "$fd"; done',
].join('; ');

describe('descriptors the provider inherited', skipWhen(bubblewrapSkipReason(), 'bubblewrap'), () => {
  it('do not reach a command in a sandbox, nor any other process there', async () => {
    const dir = await tempDir('daytona-tray-fds-');
    try {
      await Promise.all(['etc', 'home', 'tmp'].map((sub) => mkdir(join(dir.path, sub))));
      const script = `
        const SCRIPT = ${JSON.stringify(SANDBOX_SCRIPT)};
        const { createSandboxRunner } = await import(${JSON.stringify(new URL('out/main/local/sandbox-runner/index.js', `file://${REPO_ROOT}/`).href)});
        const dir = ${JSON.stringify(dir.path)};
        const runner = await createSandboxRunner(dir + '/etc');
        const sandbox = await runner.start({ dirs: { home: dir + '/home', tmp: dir + '/tmp' }, hostname: 'fds', network: { blockAll: false } });
        // The command's own descriptors, then every process in the sandbox that holds a descriptor 200, after trying to
        // write into it (a sandbox's init and its waiting command are the provider's children too).
        const child = sandbox.spawn(['/bin/sh', '-c', SCRIPT], { cwd: '/home/daytona', env: {} });
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        await new Promise((resolve) => child.once('close', resolve));
        await sandbox.stop(0);
        await runner.close?.();
        process.stdout.write(out);
      `;
      const leaked = join(dir.path, 'host-file');
      const provider = spawn(
        '/bin/bash',
        ['-c', 'exec 200>>"$1"; exec "$0" --input-type=module -e "$2"', process.execPath, leaked, script],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 60_000,
        },
      );
      let out = '';
      let err = '';
      provider.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      provider.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const code = await new Promise((resolve) => provider.once('close', resolve));
      expect(err).toBe('');
      expect(code).toBe(0);
      const [own, holders] = out.split('--\n');
      // stdin, stdout, stderr, and the folder `ls` reads (its own): not the provider's fd 200.
      expect(own!.split('\n').filter(Boolean)).toEqual(['0', '1', '2', '3']);
      // No process in the sandbox holds it (the init's waiting command did), and nothing reached the host file.
      expect(holders!.split('\n').filter(Boolean)).toEqual([]);
      expect(await readFile(leaked, 'utf8')).toBe('');
    } finally {
      await dir.cleanup();
    }
  }, 90_000);
});
