import type { z } from 'zod';
import {
  foreignProfileSchema,
  isKnownProfile,
  knownProfileSchema,
  LOCAL_PROFILE,
  SETTINGS_VERSION,
  settingsSchema,
  type Profile,
  type Settings,
} from './settings-schema.ts';

export interface ParsedSettings {
  settings: Settings;
  /** One line per value that was ignored or changed, naming the setting (never its value). */
  warnings: string[];
  /** True when something in the input was invalid and replaced by its default. */
  repaired: boolean;
  /** Set when the file came from a newer version (its version number is kept when written back). */
  newerVersion?: number;
}

/** The settings used when there is no file. */
export function defaultSettings(): Settings {
  return parseSettings({}).settings;
}

/**
 * Validates a settings object leniently: an invalid value falls back to its default (with a warning that
 * names it), anything unknown is kept, and a profile of an unknown kind is kept but not used. Only a root
 * that is not an object cannot be repaired (the caller treats that file as corrupt).
 */
export function parseSettings(input: unknown): ParsedSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new TypeError('settings must be a JSON object');
  const repairs: string[] = [];
  const notes: string[] = [];
  const top = repair(settingsSchema, structuredClone(input), [], repairs);

  const profiles: Record<string, Profile> = {};
  for (const [name, profile] of Object.entries(top.profiles)) {
    if (profile.kind === 'cloud' || profile.kind === 'local') {
      profiles[name] = repair(knownProfileSchema, profile, ['profiles', name], repairs);
    } else {
      profiles[name] = foreignProfileSchema.parse(profile);
      notes.push(
        `profiles.${name}: kind '${profile.kind}' is not known to this version of Daytona Tray; kept as it is, but it cannot be used.`,
      );
    }
  }
  // The local provider needs no account: it is always there to fall back to.
  if (!profiles[LOCAL_PROFILE]) profiles[LOCAL_PROFILE] = { kind: 'local' };

  let activeProfile = top.activeProfile;
  if (!isKnownProfile(profiles[activeProfile])) {
    repairs.push(`activeProfile: '${activeProfile}' is not a usable profile; using '${LOCAL_PROFILE}'.`);
    activeProfile = LOCAL_PROFILE;
  }

  const settings: Settings = { ...top, activeProfile, profiles };
  const newerVersion = settings.version > SETTINGS_VERSION ? settings.version : undefined;
  if (newerVersion) {
    notes.unshift(
      `The settings were written by a newer Daytona Tray (settings version ${newerVersion}; this one knows ${SETTINGS_VERSION}): ` +
        'using what this version understands and keeping the rest as it is.',
    );
  }
  return { settings, warnings: [...notes, ...repairs], repaired: repairs.length > 0, ...(newerVersion ? { newerVersion } : {}) };
}

/** Parses `value` with `schema`, removing each invalid value (so its default applies) until it passes. */
function repair<S extends z.ZodType>(schema: S, value: unknown, prefix: PropertyKey[], repairs: string[]): z.output<S> {
  for (let round = 0; round < 1_000; round++) {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const path = issue.path;
      // Remove the bad value; when nothing is there (a required key is missing) remove its parent instead.
      const target = has(value, path) ? path : path.slice(0, -1);
      if (target.length === 0) throw new TypeError(`settings: ${issue.message}`);
      remove(value, target);
      repairs.push(`${[...prefix, ...target].map(String).join('.')}: ${issue.message}; using the default.`);
    }
  }
  throw new TypeError('settings: could not be repaired');
}

function has(root: unknown, path: readonly PropertyKey[]): boolean {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return false;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return true;
}

function remove(root: unknown, path: readonly PropertyKey[]): void {
  let node = root;
  for (const key of path.slice(0, -1)) node = (node as Record<PropertyKey, unknown>)[key];
  delete (node as Record<PropertyKey, unknown>)[path.at(-1)!];
}
