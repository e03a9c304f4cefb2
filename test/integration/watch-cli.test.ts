import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCliToExit, spawnCli, startCliProvider, type CliProvider } from '../helpers/local-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// The provider's scaled minute: a sandbox with auto-stop 1 stops after this many ms of inactivity.
const MINUTE_MS = 500;

/** `daytona-tray watch --json` end to end: the built CLI against a provider started by the built CLI. */
describe('daytona-tray watch', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let data: { path: string; cleanup: () => Promise<void> };
  let provider: CliProvider;

  beforeAll(async () => {
    home = await tempDir('daytona-tray-watch-home-');
    data = await tempDir('daytona-tray-watch-data-');
    provider = await startCliProvider(['--data-dir', data.path], cliEnv(home.path, { DAYTONA_TRAY_LOCAL_MINUTE_MS: String(MINUTE_MS) }));
  });

  afterAll(async () => {
    await provider?.stop();
    await data?.cleanup();
    await home?.cleanup();
  });

  function watch(args: string[], env: Record<string, string> = { DAYTONA_API_URL: provider.apiUrl, DAYTONA_API_KEY: provider.apiKey }) {
    const run = spawnCli(['watch', ...args], cliEnv(home.path, env));
    const lines = () =>
      run
        .stdout()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, any>);
    return { ...run, lines };
  }

  it('prints one JSON line per change and an auto-stop alert naming the sandbox; SIGTERM ends it cleanly', async () => {
    const run = watch(['--json', '--poll-ms', '200']);
    try {
      await expect
        .poll(() => run.lines().some((line) => line.type === 'ready'), { timeout: 30_000, message: `ready line; stderr: ${run.stderr()}` })
        .toBe(true);
      const sandbox = await provider.daytona.create({ name: 'watched', autoStopInterval: 1 });
      await expect
        .poll(() => run.lines().some((line) => line.type === 'alert'), { timeout: 30_000, message: `an alert; stdout: ${run.stdout()}` })
        .toBe(true);
      const lines = run.lines();
      expect(lines.find((line) => line.type === 'ready')).toMatchObject({ profile: 'env', apiUrl: provider.apiUrl, sandboxes: 0 });
      expect(lines).toContainEqual(
        expect.objectContaining({ type: 'change', change: 'added', sandboxId: sandbox.id, name: 'watched', initial: false }),
      );
      expect(lines).toContainEqual(
        expect.objectContaining({ type: 'change', change: 'state', sandboxId: sandbox.id, from: 'started', requested: false }),
      );
      const alert = lines.find((line) => line.type === 'alert')!;
      expect(alert).toMatchObject({
        type: 'alert',
        kind: 'auto-stop',
        sandboxId: sandbox.id,
        sandboxIds: [sandbox.id],
        title: 'Sandbox auto-stopped',
      });
      expect(alert.body).toMatch(/^"watched" stopped after 1 min idle/);
      expect(alert.actions).toContainEqual({ type: 'restart-sandbox', sandboxId: sandbox.id, label: 'Restart' });
      expect(run.stdout()).not.toContain(provider.apiKey);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toEqual({ code: 0, signal: null });
  });

  it('prints readable lines without --json, including sandboxes that already exist', async () => {
    await provider.daytona.create({ name: 'existing' });
    const run = watch(['--no-events', '--poll-ms', '200']);
    try {
      await expect.poll(() => run.stdout(), { timeout: 30_000 }).toMatch(/= existing \(started\)/);
      // The heading and the first listing come from two writes: either may be read first.
      await expect
        .poll(() => run.stdout(), { timeout: 30_000 })
        .toMatch(/watching \d+ sandboxes at http:\/\/127\.0\.0\.1:\d+\/api \(profile env, live events off\)/);
    } finally {
      run.child.kill('SIGINT');
    }
    expect((await run.exited).code).toBe(0);
  });

  it('exits 1 with "API key rejected" when the key is wrong', async () => {
    const result = await runCliToExit(
      ['watch', '--json'],
      cliEnv(home.path, { DAYTONA_API_URL: provider.apiUrl, DAYTONA_API_KEY: 'not-the-key' }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/rejected the API key in DAYTONA_API_KEY \(401\)/);
    expect(result.stderr).not.toContain('not-the-key');
    const status = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .find((line) => line.state === 'unauthorized');
    expect(status).toMatchObject({ type: 'status', problem: { kind: 'unauthorized' } });
  });

  it('says how to watch the local profile, which runs inside the tray', async () => {
    const result = await runCliToExit(['watch'], cliEnv(home.path));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/profile 'local' is the local provider.*daytona-tray local --json.*DAYTONA_API_URL and DAYTONA_API_KEY/);
  });

  it('rejects bad options with usage', async () => {
    const result = await runCliToExit(['watch', '--poll-ms', 'soon'], cliEnv(home.path));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--poll-ms must be a whole number/);
  });
});
