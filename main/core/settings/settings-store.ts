import { copyFile, mkdir, readFile, rename, constants as fsConstants } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { appDataDir } from '../app-paths.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { withFileLock } from './file-lock.ts';
import { defaultSettings, parseSettings } from './settings-parse.ts';
import { SETTINGS_VERSION, settingsSchema, knownProfileSchema, foreignProfileSchema, isKnownProfile, type Settings } from './settings-schema.ts';

export interface LoadedSettings {
  settings: Settings;
  /** What the user should know about the file (ignored values, a corrupt file moved aside, a newer version). */
  warnings: string[];
}

export interface SettingsStore {
  readonly file: string;
  /** Reads the file; a missing file gives the defaults (nothing is written until the first update). */
  load(): Promise<LoadedSettings>;
  /**
   * Re-reads the file, applies `change` to a copy, validates the result and writes it atomically. Always
   * change settings through here (not by saving a copy held in memory) so a change made meanwhile by
   * another process (the CLI and the tray share the file) is not overwritten with stale values.
   */
  update(change: (settings: Settings) => Settings | void): Promise<LoadedSettings>;
}

export interface SettingsStoreOptions {
  /** Default: <app data dir>/settings.json. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export const SETTINGS_FILE_NAME = 'settings.json';

export function settingsFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(appDataDir(env), SETTINGS_FILE_NAME);
}

export function createSettingsStore(options: SettingsStoreOptions = {}): SettingsStore {
  const file = options.file ?? settingsFile(options.env);
  const now = options.now ?? (() => new Date());
  const stamp = () => now().toISOString().replace(/[:.]/g, '-');
  let queue: Promise<unknown> = Promise.resolve();

  const lockFile = `${file}.lock`;

  async function read(locked: boolean): Promise<LoadedSettings & { repaired: boolean; exists: boolean }> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { settings: defaultSettings(), warnings: [], repaired: false, exists: false };
      throw new Error(`Cannot read the settings file ${file} (${code ?? (error as Error).message}): fix its permissions, or move it away to start from defaults.`, { cause: error });
    }
    let parsed;
    try {
      parsed = parseSettings(JSON.parse(text.replace(/^\uFEFF/, '')));
    } catch (error) {
      // Corrupt: keep it for the user, start over from defaults. Under the lock, so a file another process
      // has just written is never the one moved aside.
      if (!locked) return withFileLock(lockFile, () => read(true));
      const aside = `${file}.corrupt-${stamp()}`;
      await rename(file, aside);
      const reason = error instanceof SyntaxError ? 'it is not valid JSON' : (error as Error).message;
      return {
        settings: defaultSettings(),
        warnings: [`The settings file ${file} could not be read (${reason}). It was moved to ${aside} and the defaults are in use; copy anything you need from it.`],
        repaired: false,
        exists: false,
      };
    }
    return { settings: parsed.settings, warnings: parsed.warnings, repaired: parsed.repaired, exists: true };
  }

  // One change at a time within this process, so two updates never lose each other's changes.
  function serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => {});
    return run;
  }

  return {
    file,
    load: () => serialized(async () => {
      const { settings, warnings } = await read(false);
      return { settings, warnings };
    }),
    update: (change) => serialized(async () => {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      return withFileLock(lockFile, async () => {
        const current = await read(true);
        const draft = structuredClone(current.settings);
        const next = validate(change(draft) ?? draft);
        const warnings = [...current.warnings];
        if (current.repaired && current.exists) {
          // Values this write drops as invalid stay recoverable from a copy of the file as it was.
          const copy = `${file}.invalid-${stamp()}`;
          await copyFile(file, copy, fsConstants.COPYFILE_EXCL);
          warnings.push(`The settings file as it was (with the ignored values) is kept at ${copy}.`);
        }
        await writeFileAtomic(file, `${JSON.stringify(next, null, 2)}\n`);
        return { settings: next, warnings };
      });
    }),
  };
}

/** Strict check of settings about to be written: a change that makes them invalid is refused, not repaired. */
function validate(settings: Settings): Settings {
  const { profiles, ...rest } = settings;
  const top = settingsSchema.parse({ ...rest, profiles: {} });
  const checked: Settings['profiles'] = {};
  for (const [name, profile] of Object.entries(profiles)) {
    checked[name] = isKnownProfile(profile) ? knownProfileSchema.parse(profile) : foreignProfileSchema.parse(profile);
  }
  settingsSchema.shape.profiles.parse(checked);
  if (!isKnownProfile(checked[top.activeProfile])) throw new Error(`activeProfile '${top.activeProfile}' is not a usable profile.`);
  // A file from a newer version keeps its version number; anything older is written as this version.
  const { version, activeProfile, profiles: _empty, ...others } = top;
  return { version: Math.max(version, SETTINGS_VERSION), activeProfile, profiles: checked, ...others };
}
