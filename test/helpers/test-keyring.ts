import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * A throwaway Secret Service for tests: gnome-keyring on a private D-Bus session bus, with its keyrings and
 * control socket in a temp dir, unlocked from stdin, and no display (so a stray prompt fails fast instead of
 * hanging). Recipe and failure modes: docs/keychain.md.
 *
 * The bus has no activatable services, so nothing can D-Bus-activate a second, locked gnome-keyring.
 */
export interface TestKeyring {
  dir: string;
  /** The variables that point a process at this keyring (merge with `keyringEnv`). */
  env: { DBUS_SESSION_BUS_ADDRESS: string; XDG_RUNTIME_DIR: string; XDG_DATA_HOME: string };
  /** Pid of gnome-keyring-daemon, or undefined for a bus without a Secret Service. */
  daemonPid: number | undefined;
  /** Locks the login keyring through the daemon (org.freedesktop.Secret.Service.Lock). */
  lock(): Promise<void>;
  /** Freezes (SIGSTOP) or thaws (SIGCONT) the daemon: a Secret Service that is there but does not answer. */
  freeze(frozen: boolean): void;
  /** The secret stored under `attributes`, read by libsecret's own secret-tool (null when none). */
  lookup(attributes: Record<string, string>): Promise<string | null>;
  /** Stops the daemon and the bus, and removes the temp dir. */
  stop(): Promise<void>;
}

export interface TestKeyringOptions {
  /** false: a bus where nothing provides org.freedesktop.secrets. Default true. */
  secretService?: boolean;
  /** Parent of the temp dir (default the OS temp dir). */
  parentDir?: string;
}

const TOOLS = ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon', 'secret-tool'];

/** Why keyring tests cannot run here, or undefined when they can. */
export function keyringSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'the throwaway Secret Service needs Linux (gnome-keyring on D-Bus)';
  const missing = TOOLS.filter((tool) => !onPath(tool));
  if (missing.length > 0) return `not installed: ${missing.join(', ')} (apt-get install dbus-daemon gnome-keyring libsecret-tools)`;
  return undefined;
}

/** `base` with this keyring's variables and without a display, so nothing can pop up an unlock prompt. */
export function keyringEnv(keyring: TestKeyring, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...keyring.env };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  return env;
}

export async function startTestKeyring(options: TestKeyringOptions = {}): Promise<TestKeyring> {
  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'test-keyring-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await terminate(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const sub of ['run', 'data', 'services', 'home']) await mkdir(join(dir, sub), { mode: 0o700 });
    const config = join(dir, 'bus.conf');
    await writeFile(config, busConfig(join(dir, 'bus'), join(dir, 'services')));

    const bus = spawn('dbus-daemon', [`--config-file=${config}`, '--nofork', '--nosyslog', '--print-address=1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(bus);
    const address = await firstLine(bus, 10_000);
    const env = { DBUS_SESSION_BUS_ADDRESS: address, XDG_RUNTIME_DIR: join(dir, 'run'), XDG_DATA_HOME: join(dir, 'data') };
    const toolEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: join(dir, 'home'),
      XDG_CONFIG_HOME: join(dir, 'home', '.config'),
      XDG_CACHE_HOME: join(dir, 'home', '.cache'),
      ...env,
    };

    let daemonPid: number | undefined;
    let daemon: ChildProcess | undefined;
    if (options.secretService !== false) {
      // --unlock reads the password from stdin, creates the 'login' keyring (the default collection) and unlocks it.
      daemon = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
        env: toolEnv,
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      children.push(daemon);
      daemon.stdin!.end('test-keyring-password');
      daemonPid = daemon.pid;
      // --unlock returns before the daemon owns its bus name: wait for it, or the first call races the start.
      await waitForOwner(toolEnv, 'org.freedesktop.secrets', daemon, 10_000);
    }

    return {
      dir,
      env,
      daemonPid,
      async lock() {
        await execFileAsync(
          'dbus-send',
          [
            '--session',
            '--print-reply',
            '--dest=org.freedesktop.secrets',
            '/org/freedesktop/secrets',
            'org.freedesktop.Secret.Service.Lock',
            'array:objpath:/org/freedesktop/secrets/collection/login',
          ],
          { env: toolEnv, timeout: 10_000 },
        );
      },
      freeze(frozen) {
        if (daemonPid) process.kill(daemonPid, frozen ? 'SIGSTOP' : 'SIGCONT');
      },
      async lookup(attributes) {
        const args = ['lookup', ...Object.entries(attributes).flat()];
        try {
          const { stdout } = await execFileAsync('secret-tool', args, { env: toolEnv, timeout: 10_000 });
          return stdout;
        } catch (error) {
          // secret-tool exits 1 with no output when nothing matches.
          if ((error as { code?: unknown }).code === 1 && !(error as { stderr?: string }).stderr) return null;
          throw error;
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function busConfig(socket: string, servicedir: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <servicedir>${servicedir}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`dbus-daemon printed no address within ${timeoutMs} ms: ${err}`)), timeoutMs);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, newline).trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dbus-daemon exited (${code}) before printing its address: ${err}`));
    });
  });
}

async function waitForOwner(env: NodeJS.ProcessEnv, name: string, daemon: ChildProcess, timeoutMs: number): Promise<void> {
  let stderr = '';
  daemon.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (daemon.exitCode !== null) throw new Error(`gnome-keyring-daemon exited (${daemon.exitCode}): ${stderr}`);
    const { stdout } = await execFileAsync(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner',
        `string:${name}`,
      ],
      { env, timeout: 5_000 },
    );
    if (/boolean true/.test(stdout)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} was not owned within ${timeoutMs} ms: ${stderr}`);
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL'); // also ends a frozen (SIGSTOPped) daemon
  await exited;
}
