import { spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../main/core/settings/settings-parse.ts';
import { DEFAULT_CLOUD_API_URL, SETTINGS_VERSION } from '../../main/core/settings/settings-schema.ts';
import { lockHolder } from '../../main/core/file-lock.ts';
import { createSettingsStore, settingsFile, type SettingsStore } from '../../main/core/settings/settings-store.ts';
import { appModule, holdInChild } from '../helpers/lock-holder.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let dir: { path: string; cleanup: () => Promise<void> };
let file: string;
let store: SettingsStore;
beforeEach(async () => {
  dir = await tempDir('daytona-tray-settings-');
  file = join(dir.path, 'conf', 'settings.json');
  store = createSettingsStore({ file, now: () => new Date('2030-01-02T03:04:05.678Z') });
});
afterEach(() => dir.cleanup());

const readJson = async () => JSON.parse(await readFile(file, 'utf8')) as Record<string, any>;
const write = async (content: string) => {
  await store.update(() => {}); // creates the directory
  await writeFile(file, content);
};

describe('settings file', () => {
  it('lives in the app data dir (DAYTONA_TRAY_HOME overrides it)', () => {
    expect(settingsFile({ DAYTONA_TRAY_HOME: '/x/y' })).toBe('/x/y/settings.json');
  });

  it('gives the defaults when there is no file, and writes nothing', async () => {
    const { settings, warnings } = await store.load();
    expect(warnings).toEqual([]);
    expect(settings).toEqual({
      version: SETTINGS_VERSION,
      activeProfile: 'local',
      profiles: { cloud: { kind: 'cloud', apiUrl: DEFAULT_CLOUD_API_URL }, local: { kind: 'local' } },
      mcp: {
        port: 0,
        toolGroups: { sandbox: true, files: true, process: true, git: true, preview: true, 'computer-use': true },
        sharedGraceMinutes: 10,
      },
      notifications: {
        autoStop: true,
        autoPause: true,
        autoArchive: true,
        autoDelete: true,
        ttlExpired: true,
        sandboxError: true,
        lowBalance: true,
        creditsDepleted: true,
        serverFailed: true,
      },
      polling: { sandboxesMs: 5_000, sandboxesHiddenMs: 60_000, balanceMs: 300_000 },
      lowBalanceThresholdCents: 500,
      startAtLogin: false,
    });
    expect(settings).toEqual(defaultSettings());
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('round-trips every setting through the file, private to the user', async () => {
    await store.update((s) => {
      s.profiles.staging = { kind: 'cloud', apiUrl: 'https://daytona.example.com/api/', target: 'eu' };
      s.activeProfile = 'staging';
      s.mcp.port = 7777;
      s.mcp.toolGroups.git = false;
      s.mcp.sharedGraceMinutes = 45;
      s.notifications.autoStop = false;
      s.polling.sandboxesHiddenMs = 90_000;
      s.lowBalanceThresholdCents = 1_000;
      s.startAtLogin = true;
    });
    const { settings, warnings } = await createSettingsStore({ file }).load();
    expect(warnings).toEqual([]);
    expect(settings.activeProfile).toBe('staging');
    expect(settings.profiles.staging).toEqual({ kind: 'cloud', apiUrl: 'https://daytona.example.com/api', target: 'eu' });
    expect(settings.mcp).toEqual({
      port: 7777,
      toolGroups: { sandbox: true, files: true, process: true, git: false, preview: true, 'computer-use': true },
      sharedGraceMinutes: 45,
    });
    expect(settings.notifications.autoStop).toBe(false);
    expect(settings.polling.sandboxesHiddenMs).toBe(90_000);
    expect(settings.lowBalanceThresholdCents).toBe(1_000);
    expect(settings.startAtLogin).toBe(true);
    expect((await readJson()).version).toBe(SETTINGS_VERSION);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('keeps keys it does not know, at every level, and profiles of unknown kinds', async () => {
    await write(
      JSON.stringify({
        version: 1,
        futureTop: { a: [1, 2] },
        mcp: { port: 9000, futureNested: 'x', toolGroups: { sandbox: false, futureGroup: true } },
        profiles: { cloud: { kind: 'cloud', apiUrl: DEFAULT_CLOUD_API_URL, futureField: 42 }, remote: { kind: 'ssh', host: 'h' } },
      }),
    );
    const { settings, warnings } = await store.load();
    expect(settings.mcp.port).toBe(9000);
    expect(warnings).toEqual([expect.stringMatching(/^profiles\.remote: kind 'ssh' is not known .* kept as it is/)]);

    await store.update((s) => {
      s.startAtLogin = true;
    });
    const onDisk = await readJson();
    expect(onDisk.futureTop).toEqual({ a: [1, 2] });
    expect(onDisk.mcp).toMatchObject({ port: 9000, futureNested: 'x', toolGroups: { sandbox: false, futureGroup: true } });
    expect(onDisk.profiles.cloud.futureField).toBe(42);
    expect(onDisk.profiles.remote).toEqual({ kind: 'ssh', host: 'h' });
    expect(onDisk.startAtLogin).toBe(true);
  });

  it('never moves or overwrites a file it cannot read: load names it and the line and gives the defaults; update refuses', async () => {
    const corrupt = '{"version": 1, "activeProfile": "cl';
    await write(corrupt);
    const { settings, warnings } = await store.load();
    expect(settings).toEqual(defaultSettings());
    expect(warnings).toEqual([
      `The settings file ${file} cannot be read (line 1, column 33: UnexpectedEndOfString), so the defaults are in use and nothing will be saved over it. Fix it, or move it away to start from defaults.`,
    ]);
    await expect(
      store.update((s) => {
        s.startAtLogin = true;
      }),
    ).rejects.toMatchObject({
      name: 'SettingsUnreadableError',
      message: expect.stringContaining(
        `The settings file ${file} cannot be read (line 1, column 33: UnexpectedEndOfString), so nothing was saved and it was left as it is.`,
      ),
    });
    expect(await readFile(file, 'utf8')).toBe(corrupt);
    expect((await readdir(join(dir.path, 'conf'))).sort()).toEqual(['settings.json']);
  });

  it('treats a JSON root that is not an object as unreadable too', async () => {
    await write('[1, 2, 3]');
    const { settings, warnings } = await store.load();
    expect(settings).toEqual(defaultSettings());
    expect(warnings[0]).toMatch(/cannot be read \(settings must be a JSON object\)/);
    expect(await readFile(file, 'utf8')).toBe('[1, 2, 3]');
  });

  it('reads comments and trailing commas; a write keeps a copy of the file with its comments and says where', async () => {
    const jsonc = '// mine\n{\n  "activeProfile": "cloud", /* the cloud */\n  "startAtLogin": true,\n}\n';
    await write(jsonc);
    const { settings, warnings } = await store.load();
    expect(warnings).toEqual([]);
    expect(settings).toMatchObject({ activeProfile: 'cloud', startAtLogin: true });
    const { warnings: onWrite } = await store.update((s) => {
      s.lowBalanceThresholdCents = 100;
    });
    const copy = `${file}.before-2030-01-02T03-04-05-678Z`;
    expect(onWrite).toEqual([`The settings file as it was (with its comments, which the saved file does not keep) is kept at ${copy}.`]);
    expect(await readFile(copy, 'utf8')).toBe(jsonc);
    expect(await readJson()).toMatchObject({ activeProfile: 'cloud', startAtLogin: true, lowBalanceThresholdCents: 100 });
  });

  it('replaces invalid values by their defaults, names them (not their values), and keeps a copy before overwriting', async () => {
    const original = JSON.stringify({
      version: 1,
      activeProfile: 'cloud',
      mcp: { port: 'eighty', toolGroups: { git: 'no' } },
      startAtLogin: true,
      profiles: { cloud: { kind: 'cloud', apiUrl: 'ftp://secret-host.example/api', target: 'us' }, 'bad name!': { kind: 'local' } },
    });
    await write(original);
    const { settings, warnings } = await store.load();
    expect(settings.mcp.port).toBe(0);
    expect(settings.mcp.toolGroups.git).toBe(true);
    expect(settings.startAtLogin).toBe(true);
    expect(settings.activeProfile).toBe('cloud');
    expect(settings.profiles.cloud).toEqual({ kind: 'cloud', apiUrl: DEFAULT_CLOUD_API_URL, target: 'us' });
    expect(Object.keys(settings.profiles).sort()).toEqual(['cloud', 'local']);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mcp\.port: .*; using the default\.$/),
        expect.stringMatching(/^mcp\.toolGroups\.git: /),
        expect.stringMatching(/^profiles\.bad name!: /),
        expect.stringMatching(/^profiles\.cloud\.apiUrl: /),
      ]),
    );
    expect(warnings.join('\n')).not.toContain('secret-host');
    expect(await readFile(file, 'utf8')).toBe(original); // loading never rewrites

    const { warnings: onWrite } = await store.update(() => {});
    const copy = `${file}.invalid-2030-01-02T03-04-05-678Z`;
    expect(onWrite.at(-1)).toBe(`The settings file as it was (with the ignored values) is kept at ${copy}.`);
    expect(await readFile(copy, 'utf8')).toBe(original);
    expect((await readJson()).mcp.port).toBe(0);
  });

  it('falls back to the local profile when the active one is missing', async () => {
    await write(JSON.stringify({ version: 1, activeProfile: 'gone' }));
    const { settings, warnings } = await store.load();
    expect(settings.activeProfile).toBe('local');
    expect(warnings).toEqual([`activeProfile: 'gone' is not a usable profile; using 'local'.`]);
  });

  it('reads a file from a newer version for what it understands, and keeps its version and extra keys', async () => {
    await write(
      JSON.stringify({
        version: 7,
        activeProfile: 'cloud',
        startAtLogin: true,
        v7Only: { x: 1 },
        polling: { sandboxesMs: 2000, v7Poll: 3 },
      }),
    );
    const { settings, warnings } = await store.load();
    expect(warnings).toEqual([
      expect.stringMatching(/^The settings were written by a newer Daytona Tray \(settings version 7; this one knows 1\)/),
    ]);
    expect(settings.activeProfile).toBe('cloud');
    expect(settings.polling.sandboxesMs).toBe(2000);
    await store.update((s) => {
      s.mcp.port = 8123;
    });
    const onDisk = await readJson();
    expect(onDisk).toMatchObject({
      version: 7,
      v7Only: { x: 1 },
      polling: { sandboxesMs: 2000, v7Poll: 3 },
      mcp: { port: 8123 },
      startAtLogin: true,
    });
  });

  it('accepts a UTF-8 BOM (a file saved by a Windows editor)', async () => {
    await write(`\uFEFF${JSON.stringify({ version: 1, startAtLogin: true })}`);
    const { settings, warnings } = await store.load();
    expect(warnings).toEqual([]);
    expect(settings.startAtLogin).toBe(true);
  });

  it('refuses a change that would make the settings invalid, leaving the file as it was', async () => {
    await store.update((s) => {
      s.mcp.port = 8000;
    });
    const before = await readFile(file, 'utf8');
    await expect(
      store.update((s) => {
        s.mcp.port = 70_000;
      }),
    ).rejects.toThrow();
    await expect(
      store.update((s) => {
        s.activeProfile = 'nope';
      }),
    ).rejects.toThrow(/activeProfile 'nope' is not a usable profile/);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('writes atomically: concurrent changes all land, a reader never sees a partial file, no temp or lock files remain', async () => {
    await store.update(() => {});
    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        JSON.parse(await readFile(file, 'utf8')); // throws on a torn read
        reads++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    // Two stores on one file behave like two processes: only the lock file keeps their changes apart.
    const other = createSettingsStore({ file });
    const groups = ['sandbox', 'files', 'process', 'git', 'preview', 'computer-use'] as const;
    await Promise.all([
      ...groups.map((group, i) =>
        (i % 2 ? store : other).update((s) => {
          s.mcp.toolGroups[group] = false;
        }),
      ),
      ...Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? store : other).update((s) => {
          s.lowBalanceThresholdCents += 1;
        }),
      ),
    ]);
    reading = false;
    await reader;
    const { settings } = await store.load();
    expect(settings.lowBalanceThresholdCents).toBe(520);
    expect(Object.values(settings.mcp.toolGroups)).toEqual([false, false, false, false, false, false]);
    expect(reads).toBeGreaterThan(0);
    expect((await readdir(join(dir.path, 'conf'))).sort()).toEqual(['settings.json']);
  });

  it('loses no change when several processes update the file at once', async () => {
    await store.update(() => {});
    const script = `
      import { createSettingsStore } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'main/core/settings/settings-store.ts')).href)};
      const store = createSettingsStore({ file: process.argv[1] });
      for (let i = 0; i < 10; i++) await store.update((s) => { s.lowBalanceThresholdCents += 1; });`;
    const runs = Array.from(
      { length: 3 },
      () =>
        new Promise<number | null>((resolve, reject) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', script, file], { stdio: ['ignore', 'ignore', 'inherit'] });
          child.on('error', reject);
          child.on('exit', (code) => resolve(code));
        }),
    );
    expect(await Promise.all(runs)).toEqual([0, 0, 0]);
    expect((await store.load()).settings.lowBalanceThresholdCents).toBe(530);
    expect((await readdir(join(dir.path, 'conf'))).sort()).toEqual(['settings.json']);
  });

  it('takes over a lock left behind by a process that died', async () => {
    await store.update(() => {});
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('exit', resolve));
    await writeFile(`${file}.lock`, String(dead.pid));
    await store.update((s) => {
      s.startAtLogin = true;
    });
    expect((await readJson()).startAtLogin).toBe(true);
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a change is not blocked by another process that was SIGKILLed in the middle of its own change', async () => {
    await store.update(() => {});
    const stuck = await holdInChild(`
      import { writeSync } from 'node:fs';
      const { createSettingsStore } = await import(${JSON.stringify(appModule('main/core/settings/settings-store.ts'))});
      await createSettingsStore({ file: ${JSON.stringify(file)} }).update(() => {
        writeSync(1, 'held\\n');
        for (;;);
      });`);
    expect(await lockHolder(`${file}.lock`)).toBe(stuck.pid);
    await stuck.kill();
    // Without the dead holder seen as dead, this would wait 5 s for the lock and fail naming its pid.
    await store.update((s) => {
      s.startAtLogin = true;
    });
    expect((await readJson()).startAtLogin).toBe(true);
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
