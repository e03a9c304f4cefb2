import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveProfile } from '../../main/core/profile.ts';
import { createKeyringSecretStore, KEYCHAIN_SERVICE } from '../../main/core/secrets/keyring-secret-store.ts';
import { apiKeyAccount } from '../../main/core/secrets/profile-secrets.ts';
import { createSettingsStore } from '../../main/core/settings/settings-store.ts';
import { runCliToExit } from '../helpers/local-cli.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { CLI } from '../helpers/paths.ts';
import { filesUnder } from '../helpers/host-state.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { keyringEnv, keyringSkipReason, startTestKeyring, type TestKeyring } from '../helpers/test-keyring.ts';
import { skipWhen } from '../helpers/skip.ts';

const skipReason = keyringSkipReason();

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('daytona-tray login / logout (real keychain, real local provider)', skipWhen(skipReason, 'keyring'), () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let keyring: TestKeyring;
  let provider: TestProvider;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    home = await tempDir('daytona-tray-home-');
    // The keyring lives under HOME too, so "no file under HOME holds the key" covers its storage as well.
    keyring = await startTestKeyring({ parentDir: home.path });
    provider = await startTestProvider();
    env = keyringEnv(keyring, {
      PATH: process.env.PATH,
      HOME: home.path,
      DAYTONA_TRAY_HOME: join(home.path, 'app'),
      XDG_CONFIG_HOME: join(home.path, '.config'),
    });
  });
  afterAll(async () => {
    await provider?.stop();
    await keyring?.stop();
    await home?.cleanup();
  });

  const secrets = () => createKeyringSecretStore({ env });
  const settings = () => createSettingsStore({ env });

  it('a key the API rejects (401) is reported and nothing is stored', async () => {
    const result = await runCliToExit(['login', '--profile', 'dev', '--api-url', provider.provider.apiUrl], env, {
      input: 'dtn_wrong_key_0123456789\n',
      timeoutMs: 45_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/API key rejected by .* \(401\)\..* Nothing was stored\./);
    expect(result.stderr + result.stdout).not.toContain('dtn_wrong_key_0123456789');
    expect(await secrets().get(apiKeyAccount('dev'))).toBeNull();
    expect((await settings().load()).settings.profiles.dev).toBeUndefined();
  });

  it('an unreachable API is reported clearly and nothing is stored', async () => {
    const apiUrl = `http://127.0.0.1:${await closedPort()}/api`;
    const result = await runCliToExit(['login', '--profile', 'dev', '--api-url', apiUrl], env, {
      input: provider.provider.apiKey,
      timeoutMs: 45_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `Could not reach ${apiUrl} (ECONNREFUSED). Check your network and the API URL (--api-url), then try again. Nothing was stored.`,
    );
    expect(await secrets().get(apiKeyAccount('dev'))).toBeNull();
  });

  it('a piped key the API accepts is stored in the keychain, its profile becomes active, and no file under HOME holds it', async () => {
    const apiKey = provider.provider.apiKey;
    const result = await runCliToExit(['login', '--profile', 'dev', '--api-url', `${provider.provider.apiUrl}/`, '--target', 'eu'], env, {
      input: `${apiKey}\n`,
      timeoutMs: 45_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`API key accepted by ${provider.provider.apiUrl} and stored in the OS keychain for profile 'dev'.`);

    // In the Secret Service itself (libsecret's secret-tool reads it back) ...
    expect(await keyring.lookup({ service: KEYCHAIN_SERVICE, username: apiKeyAccount('dev') })).toBe(apiKey);
    // ... and the settings name the profile without the key.
    const { settings: saved } = await settings().load();
    expect(saved.activeProfile).toBe('dev');
    expect(saved.profiles.dev).toEqual({ kind: 'cloud', apiUrl: provider.provider.apiUrl, target: 'eu' });

    // What the MCP server and the supervisor will use:
    const resolved = await resolveProfile({ settings: settings(), secrets: secrets() });
    expect(resolved).toEqual({ name: 'dev', kind: 'cloud', apiUrl: provider.provider.apiUrl, target: 'eu', apiKey, source: 'keychain' });

    const files = await filesUnder(home.path);
    expect(files).toContain(join(home.path, 'app', 'settings.json'));
    expect(files.some((file) => file.endsWith('.keyring'))).toBe(true);
    for (const file of files) expect((await readFile(file)).includes(apiKey), file).toBe(false);
    expect(result.stdout + result.stderr).not.toContain(apiKey);
  });

  it('--profile local switches to the local provider without asking for a key', async () => {
    const result = await runCliToExit(['login', '--profile', 'local'], env, { timeoutMs: 45_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Active profile: local');
    expect((await settings().load()).settings.activeProfile).toBe('local');
    expect(await resolveProfile({ settings: settings(), secrets: secrets() })).toEqual({ name: 'local', kind: 'local' });
    expect(await secrets().get(apiKeyAccount('dev'))).toBe(provider.provider.apiKey); // the other profile keeps its key
  });

  it('never takes the key from the command line, and does not echo what was passed', async () => {
    const result = await runCliToExit(['login', '--profile', 'dev', 'dtn_key_on_argv_987'], env, { timeoutMs: 45_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the API key is never given on the command line');
    expect(result.stderr).not.toContain('dtn_key_on_argv_987');
  });

  it('asks for exactly one key on stdin', async () => {
    const empty = await runCliToExit(['login', '--profile', 'dev', '--api-url', provider.provider.apiUrl], env, {
      input: '\n',
      timeoutMs: 45_000,
    });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('No API key given: pipe it on stdin or type it at the prompt.');
    const two = await runCliToExit(['login', '--profile', 'dev', '--api-url', provider.provider.apiUrl], env, {
      input: 'key-one\nkey-two\n',
      timeoutMs: 45_000,
    });
    expect(two.code).toBe(1);
    expect(two.stderr).toContain('Expected one API key');
    expect(two.stderr).not.toContain('key-one');
  });

  it('logout removes the key from the keychain; the profile stays', async () => {
    const result = await runCliToExit(['logout', '--profile', 'dev'], env, { timeoutMs: 45_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Removed the API key of profile 'dev' from the OS keychain.`);
    expect(await secrets().get(apiKeyAccount('dev'))).toBeNull();
    expect(await keyring.lookup({ service: KEYCHAIN_SERVICE, username: apiKeyAccount('dev') })).toBeNull();
    expect((await settings().load()).settings.profiles.dev).toMatchObject({ kind: 'cloud' });
    await expect(resolveProfile({ settings: settings(), secrets: secrets() }, 'dev')).rejects.toThrow(
      /No API key is stored for profile 'dev'\. Run 'daytona-tray login --profile dev'/,
    );

    const again = await runCliToExit(['logout', '--profile', 'dev'], env, { timeoutMs: 45_000 });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`No API key was stored for profile 'dev'.`);
  });

  it('with no Secret Service, login says so and changes nothing (no fallback to a file)', async () => {
    const bare = await startTestKeyring({ secretService: false, parentDir: home.path });
    try {
      const noKeychain = keyringEnv(bare, env);
      const before = await readFile(join(home.path, 'app', 'settings.json'), 'utf8');
      const result = await runCliToExit(['login', '--profile', 'other', '--api-url', provider.provider.apiUrl], noKeychain, {
        input: provider.provider.apiKey,
        timeoutMs: 45_000,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('No Secret Service is running in this session');
      expect(result.stderr).toContain('Nothing was stored.');
      expect(await readFile(join(home.path, 'app', 'settings.json'), 'utf8')).toBe(before);
      for (const file of await filesUnder(home.path)) expect((await readFile(file)).includes(provider.provider.apiKey), file).toBe(false);
    } finally {
      await bare.stop();
    }
  });

  it(
    'on a terminal it prompts without echoing the key',
    skipWhen(!python3() && 'python3 is not installed (apt-get install python3): the terminal test drives a pty through it', 'python3'),
    async () => {
      const apiKey = provider.provider.apiKey;
      // python3's pty module gives the CLI a real terminal; the key is typed only once the prompt is shown.
      const child = spawn(
        'python3',
        [
          '-c',
          'import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)',
          process.execPath,
          CLI,
          'login',
          '--profile',
          'tty',
          '--api-url',
          provider.provider.apiUrl,
        ],
        { env, stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await expect.poll(() => output, { timeout: 20_000 }).toContain('input hidden): ');
      child.stdin.write(`${apiKey}\r`);
      const code = await exited;
      expect(output).toContain(`stored in the OS keychain for profile 'tty'`);
      expect(code).toBe(0);
      expect(output).not.toContain(apiKey);
      expect(await secrets().get(apiKeyAccount('tty'))).toBe(apiKey);
      await runCliToExit(['logout', '--profile', 'tty'], env, { timeoutMs: 45_000 });
    },
  );
});

function python3(): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => existsSync(join(dir, 'python3')));
}
