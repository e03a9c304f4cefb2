import { copyFile, readFile, constants as fsConstants } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { appDataDir } from '../app-paths.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { dataDirProblem, makeDataDir } from '../data-dir.ts';
import { parseJsonc } from '../jsonc.ts';
import { withFileLock } from '../file-lock.ts';
import { defaultSettings, parseSettings } from './settings-parse.ts';
import {
  SETTINGS_VERSION,
  settingsSchema,
  knownProfileSchema,
  foreignProfileSchema,
  isKnownProfile,
  type Settings,
} from './settings-schema.ts';
import { AppError } from '../app-error.ts';

export interface LoadedSettings {
  settings: Settings;
  /** What the user should know about the file (ignored values, a file that cannot be read, a newer version). */
  warnings: string[];
  /** Set when the file exists but cannot be read (the settings are the defaults; update refuses): why, worded for the user. */
  unreadable?: string;
}

/** The settings file exists but cannot be read as settings: nothing is saved over it until it is fixed. */
export class SettingsUnreadableError extends AppError {
  readonly file: string;
  constructor(file: string, message: string) {
    super(message);
    this.file = file;
  }
}

export interface SettingsStore {
  readonly file: string;
  /**
   * Reads the file leniently (comments, trailing commas); a missing file gives the defaults (nothing is written
   * until the first update). A file that cannot be read gives the defaults and a warning naming it and the
   * line; it is never moved or changed.
   */
  load(): Promise<LoadedSettings>;
  /**
   * Re-reads the file, applies `change` to a copy, validates the result and writes it atomically. Always
   * change settings through here (not by saving a copy held in memory) so a change made meanwhile by
   * another process (the CLI and the tray share the file) is not overwritten with stale values.
   * Throws SettingsUnreadableError, writing nothing, when the file exists but cannot be read.
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
/** A change waits up to 5 s for another process's; a lock older than 10 s is a dead writer's, whatever its pid. */
const SETTINGS_LOCK = { waitMs: 5_000, staleMs: 10_000 };

export function settingsFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(appDataDir(env), SETTINGS_FILE_NAME);
}

export function createSettingsStore(options: SettingsStoreOptions = {}): SettingsStore {
  const file = options.file ?? settingsFile(options.env);
  const now = options.now ?? (() => new Date());
  const stamp = () => now().toISOString().replace(/[:.]/g, '-');
  let queue: Promise<unknown> = Promise.resolve();

  const lockFile = `${file}.lock`;

  interface ReadResult extends LoadedSettings {
    repaired: boolean;
    exists: boolean;
    /** The file had comments, which a write (plain JSON) does not keep. */
    comments: boolean;
  }

  async function read(): Promise<ReadResult> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { settings: defaultSettings(), warnings: [], repaired: false, exists: false, comments: false };
      const blocked = dataDirProblem(error, dirname(file));
      if (blocked) throw blocked;
      if (code === 'EISDIR')
        throw new Error(`The settings file ${file} is a folder: move it away (settings then start from defaults), then retry.`, {
          cause: error,
        });
      throw new Error(
        `Cannot read the settings file ${file} (${code ?? (error as Error).message}): fix its permissions, or move it away to start from defaults.`,
        { cause: error },
      );
    }
    const json = parseJsonc(text.replace(/^\uFEFF/, ''));
    let reason: string | undefined;
    let parsed;
    if (!json.ok) reason = `line ${json.line}, column ${json.column}: ${json.what}`;
    else {
      try {
        parsed = parseSettings(json.value);
      } catch (error) {
        reason = (error as Error).message;
      }
    }
    if (!parsed) {
      // Never moved or rewritten here: a read-only command must leave it as it is, and a write refuses (update).
      const unreadable = `The settings file ${file} cannot be read (${reason}), so the defaults are in use and nothing will be saved over it. Fix it, or move it away to start from defaults.`;
      return { settings: defaultSettings(), warnings: [unreadable], repaired: false, exists: true, comments: false, unreadable };
    }
    return {
      settings: parsed.settings,
      warnings: parsed.warnings,
      repaired: parsed.repaired,
      exists: true,
      comments: json.ok && json.comments,
    };
  }

  // One change at a time within this process, so two updates never lose each other's changes.
  function serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => {});
    return run;
  }

  return {
    file,
    load: () =>
      serialized(async () => {
        const { settings, warnings, unreadable } = await read();
        return { settings, warnings, ...(unreadable ? { unreadable } : {}) };
      }),
    update: (change) =>
      serialized(async () => {
        await makeDataDir(dirname(file));
        return withFileLock(
          lockFile,
          async () => {
            const current = await read();
            if (current.unreadable)
              throw new SettingsUnreadableError(
                file,
                current.unreadable.replace(
                  'so the defaults are in use and nothing will be saved over it',
                  'so nothing was saved and it was left as it is',
                ),
              );
            const draft = structuredClone(current.settings);
            const next = validate(change(draft) ?? draft);
            const warnings = [...current.warnings];
            if ((current.repaired || current.comments) && current.exists) {
              // What this write drops (invalid values, comments) stays recoverable from a copy of the file as it was.
              const copy = `${file}.${current.repaired ? 'invalid' : 'before'}-${stamp()}`;
              await copyFile(file, copy, fsConstants.COPYFILE_EXCL);
              warnings.push(
                `The settings file as it was (with ${current.repaired ? 'the ignored values' : 'its comments, which the saved file does not keep'}) is kept at ${copy}.`,
              );
            }
            await writeFileAtomic(file, `${JSON.stringify(next, null, 2)}\n`);
            return { settings: next, warnings };
          },
          SETTINGS_LOCK,
        );
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
