import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SANDBOX_HOME, SANDBOX_USER } from '../sandbox-record.ts';
import { bubblewrapRunner } from './bubblewrap-runner.ts';
import { plainRunner } from './plain-runner.ts';
import { probeNamespaceTools } from './probe.ts';
import type { RunningSandbox, SandboxLayout, SandboxRunner } from './types.ts';

export type { CommandSpec, RunningSandbox, SandboxDirs, SandboxLayout, SandboxRunner, SandboxSpec } from './types.ts';
export { findBubblewrap, findNamespaceTools, type NamespaceTools } from './probe.ts';

const LAYOUTS: readonly SandboxLayout[] = ['nested', 'flat'];

/**
 * Picks bubblewrap when it works here, else plain processes (flagged "not isolated" by the provider).
 * `etcDir` receives the passwd/group files the sandbox sees, so `daytona` is a real user inside.
 * DAYTONA_TRAY_BWRAP_LAYOUT=nested|flat skips the other layout (tests, diagnosis).
 */
export async function createSandboxRunner(etcDir: string): Promise<SandboxRunner> {
  const tools = probeNamespaceTools();
  if ('reason' in tools) return plainRunner(tools.reason);
  await mkdir(etcDir, { recursive: true, mode: 0o755 });
  const passwd = join(etcDir, 'passwd');
  const group = join(etcDir, 'group');
  await writeFile(passwd, `root:x:0:0:root:/root:/bin/sh\n${SANDBOX_USER}:x:1000:1000:Daytona:${SANDBOX_HOME}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`);
  await writeFile(group, `root:x:0:\n${SANDBOX_USER}:x:1000:\nnogroup:x:65534:\n`);
  const masked = process.getuid?.() === 0 ? await privateEntries('/etc') : [];
  const forced = LAYOUTS.find((layout) => layout === process.env.DAYTONA_TRAY_BWRAP_LAYOUT);
  for (const layout of forced ? [forced] : LAYOUTS) {
    if (layout === 'nested' && !tools.unshare) continue;
    const runner = bubblewrapRunner(tools, layout, passwd, group, masked);
    if (await canRun(runner, etcDir)) return runner;
  }
  return plainRunner('bubblewrap could not start a sandbox here (see the bubblewrap and user-namespace settings of this system)');
}

/** Whether a sandbox started by `runner` runs a command as the sandbox user (a throwaway one, under `dir`). */
async function canRun(runner: SandboxRunner, dir: string): Promise<boolean> {
  const root = await mkdtemp(join(dir, 'probe-'));
  const dirs = { home: join(root, 'home'), tmp: join(root, 'tmp') };
  let sandbox: RunningSandbox | undefined;
  try {
    await Promise.all([mkdir(dirs.home), mkdir(dirs.tmp)]);
    sandbox = await runner.start({ dirs, hostname: 'probe', networkBlockAll: false });
    const child = sandbox.spawn(['/bin/sh', '-c', 'test "$(id -u)" = 1000'], { cwd: SANDBOX_HOME, env: {}, stdio: 'ignore' });
    return await new Promise<boolean>((resolve) => {
      child.once('error', () => resolve(false));
      child.once('exit', (code) => resolve(code === 0));
    });
  } catch {
    return false;
  } finally {
    await sandbox?.stop(0);
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Files and folders under `dir` an unprivileged user could not read. They matter when the provider runs
 * as root: the sandbox user is then mapped to root outside and would own (and read) /etc/shadow, SSH host
 * keys, TLS private keys. Masking them shows the sandbox /etc as an ordinary user sees it.
 */
async function privateEntries(dir: string, depth = 0): Promise<{ path: string; dir: boolean }[]> {
  const found: { path: string; dir: boolean }[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (!entry.isFile() && !entry.isDirectory()) continue;
    let mode;
    try {
      mode = (await stat(path)).mode;
    } catch {
      continue;
    }
    const hidden = entry.isDirectory() ? (mode & 0o005) !== 0o005 : (mode & 0o004) === 0;
    if (hidden) found.push({ path, dir: entry.isDirectory() });
    else if (entry.isDirectory() && depth < 6) found.push(...await privateEntries(path, depth + 1));
  }
  return found;
}
