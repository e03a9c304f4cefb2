import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.ts';
import { bubblewrapSkipReason, skipWhen } from '../helpers/skip.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// A provider started by a shell or a client that leaks a descriptor (no close-on-exec) must not pass it into its
// sandboxes: a command there could write into a host file or pipe. The provider here is a Node process that a shell
// started with fd 200 open on a host file.
describe('descriptors the provider inherited', skipWhen(bubblewrapSkipReason(), 'bubblewrap'), () => {
  it('do not reach a command in a sandbox', async () => {
    const dir = await tempDir('daytona-tray-fds-');
    try {
      await Promise.all(['etc', 'home', 'tmp'].map((sub) => mkdir(join(dir.path, sub))));
      const script = `
        const { createSandboxRunner } = await import(${JSON.stringify(new URL('out/main/local/sandbox-runner/index.js', `file://${REPO_ROOT}/`).href)});
        const dir = ${JSON.stringify(dir.path)};
        const runner = await createSandboxRunner(dir + '/etc');
        const sandbox = await runner.start({ dirs: { home: dir + '/home', tmp: dir + '/tmp' }, hostname: 'fds', network: { blockAll: false } });
        const child = sandbox.spawn(['/bin/sh', '-c', 'ls /proc/self/fd'], { cwd: '/home/daytona', env: {} });
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        await new Promise((resolve) => child.once('close', resolve));
        await sandbox.stop(0);
        await runner.close?.();
        process.stdout.write(JSON.stringify(out.split('\\n').filter(Boolean)));
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
      // stdin, stdout, stderr, and the folder `ls` reads (its own): not the provider's fd 200.
      expect(JSON.parse(out)).toEqual(['0', '1', '2', '3']);
    } finally {
      await dir.cleanup();
    }
  }, 90_000);
});
