import { isDeepStrictEqual } from 'node:util';
import type { BridgeLaunch } from './bridge-launch.ts';
import { commitChange, hasBackup, readConfigFile, removeConfigFile, type ConfigSnapshot } from './config-file.ts';
import { findEntry, type ConfigFormat, type EntryPath } from './config-format.ts';
import { assertNoDuplicateKeys, parseRoot, planChange, unifiedDiff } from './config-text.ts';
import { bridgeOptionsOfEntry, buildEntry, judgeEntry, mergeEntry, mergeShaped, type EntryShape, type EntryStyle } from './entry.ts';
import type { Host } from './host.ts';
import { locateInProject } from './project-scope.ts';
import type { ToolGroup } from '../../../preload/contract.ts';
import { defaultPreset, groupsOf, normalizePreset, presetOfArgs, TOOL_CAPS, withTools, type ToolPreset } from './tool-presets.ts';
import {
  ClientSetupError,
  ENTRY_NAME,
  type AiClient,
  type ChangeOptions,
  type ChangeResult,
  type ClientId,
  type ClientLocation,
  type ClientStatus,
} from './types.ts';

/** What makes one client different from the next: where its file is and how it spells our entry. */
export interface FileClientSpec extends EntryStyle {
  id: ClientId;
  name: string;
  applyHint: string;
  /** The object under which the client keeps its servers (`mcpServers`; VS Code: `servers`). */
  serversKey: string;
  /** The client ignores a file with comments, trailing commas or a BOM: write plain JSON. */
  strictJson: boolean;
  locate(host: Host): ClientLocation;
  /** YAML or TOML (default: JSON/JSONC through config-text.ts). */
  format?: ConfigFormat;
  /** Continue keeps its servers in a list of named items rather than a map. */
  list?: boolean;
  /** An entry that is not `{command, args, env}`. */
  shape?: EntryShape;
  /** What a file setup creates starts with: the top-level keys the client requires (Continue's name, version, schema). */
  seed?: string;
}

export interface ClientDeps {
  host: Host;
  /** The bridge launch written into every client's entry. */
  launch: BridgeLaunch;
  /** Test seam passed to the safe writer (runs just before its re-read and rename). */
  beforeRename?: () => Promise<void>;
  /** Project scope (`setup --project DIR`): the client's config inside this folder instead of the user's. */
  projectDir?: string;
}

/** What `connect` would do, planned against the file as read (see FileClient.planConnect). */
export interface ConnectPlan {
  /** The result a dry run returns (action, diff, notes). */
  result: ChangeResult;
  snapshot: ConfigSnapshot;
  /** Our entry (or someone's `daytona` entry) as the file has it now. */
  existing: unknown;
  /** The entry to write, and the file's new text (absent when unchanged); `write` keeps a BOM where the format does. */
  value?: Record<string, unknown>;
  text?: string;
  write?: string;
}

/** A config-file client, which can also say what a change would do without making it (the clients' own CLIs use it). */
export interface FileClient extends AiClient {
  planConnect(options?: ChangeOptions): Promise<ConnectPlan>;
  /** Parses a text in the file's format, for comparing what another writer produced. */
  parse(text: string, file: string): Record<string, unknown>;
  /** The format, for reading the file (undefined: JSON/JSONC). */
  format: ConfigFormat | undefined;
}

/** A client whose user-level config is a JSON file edited with the safe writer. */
export function createFileClient(spec: FileClientSpec, deps: ClientDeps): FileClient {
  const { host } = deps;
  const presets = entryPresets(spec, deps.launch);
  const where: EntryPath = { key: spec.serversKey, name: ENTRY_NAME, ...(spec.list ? { list: true } : {}) };
  /** Against what setup would write now (keeping the tools an entry of ours names) unless told what to compare with. */
  const judge = (entry: unknown, desired?: Record<string, unknown>) => {
    const verdict = judgeEntry(entry, desired ?? {}, host, spec.shape);
    if (desired !== undefined) return verdict;
    return judgeEntry(entry, presets.desiredFor(presets.choose({}, entry, verdict.kind === 'ours')), host, spec.shape);
  };
  const merge = (entry: unknown, desired: Record<string, unknown>) =>
    spec.shape ? mergeShaped(entry, desired, spec.shape) : mergeEntry(entry, desired);
  const read = (file: string) => readConfigFile(file, spec.format);
  const locate = (): ClientLocation =>
    deps.projectDir !== undefined ? locateInProject(spec.id, spec.name, deps.projectDir) : spec.locate(host);

  function entryOf(snapshot: ConfigSnapshot): unknown {
    // JSON parsers disagree on duplicate keys (YAML refuses them while parsing; TOML forbids them).
    if (!spec.format) assertNoDuplicateKeys(snapshot, [spec.serversKey, ENTRY_NAME]);
    return findEntry(snapshot.root, where, snapshot.file, spec.format !== undefined);
  }

  /** The new text (without a BOM, for the diff) and what to write (the BOM back where the format keeps it). */
  function plan(snapshot: ConfigSnapshot, value: Record<string, unknown> | undefined): { text: string; write: string; note?: string } {
    if (!spec.format) {
      const planned = planChange(snapshot, [{ path: [spec.serversKey, ENTRY_NAME], value }], { strictOutput: spec.strictJson });
      const note = planned.normalized
        ? `Comments and trailing commas were dropped: ${spec.name} reads plain JSON only (the original stays in the backup).`
        : undefined;
      return { text: planned.text, write: planned.text, ...(note ? { note } : {}) };
    }
    const seeded = spec.seed !== undefined && value !== undefined && snapshot.text.trim() === '';
    const edit = spec.format.edit(seeded ? spec.seed! : snapshot.text, snapshot.file, where, value);
    const bom = spec.format.keepsBom && snapshot.raw !== null && snapshot.raw.subarray(0, 3).equals(UTF8_BOM) ? '\uFEFF' : '';
    return { text: edit.text, write: bom + edit.text, ...(edit.note ? { note: edit.note } : {}) };
  }

  /** The top-level keys the client requires (those of the seed) that an existing, non-empty file lacks. */
  function missingSeedKeys(snapshot: ConfigSnapshot): string[] {
    if (spec.seed === undefined || !spec.format || snapshot.text.trim() === '') return [];
    return Object.keys(spec.format.parse(spec.seed, snapshot.file)).filter((key) => !Object.hasOwn(snapshot.root, key));
  }

  function base(file: string, dryRun: boolean): Omit<ChangeResult, 'action'> {
    return { id: spec.id, name: spec.name, dryRun, file, via: 'file', notes: [] };
  }

  /** `setup --force` replaces the entry; `unsetup --force` removes it: the message says which. */
  function foreign(file: string, command: 'setup' | 'unsetup'): ClientSetupError {
    const fix =
      command === 'setup'
        ? 'Rename or remove that entry, or run setup again with --force to replace it with ours.'
        : 'Remove it by hand, or run unsetup again with --force to remove it anyway.';
    return new ClientSetupError(
      'FOREIGN_ENTRY',
      `${file} has a "${ENTRY_NAME}" server that Daytona Tray did not write, so it was left as it is. ${fix}`,
      file,
    );
  }

  /**
   * Our entry was all it held, and no backup (made by our first change to a file that existed): setup made it.
   * Not a link, and only `{"<servers>": {}}` left.
   */
  async function weCreated(snapshot: ConfigSnapshot, after: string): Promise<boolean> {
    if (snapshot.target !== snapshot.file || (await hasBackup(snapshot))) return false;
    // Compared as text: a comment or any other byte the user added keeps the file.
    if (!spec.format) return after.replace(/\s/g, '') === JSON.stringify({ [spec.serversKey]: {} });
    if (after.includes('#')) return false;
    const left = spec.format.parse(after, snapshot.file);
    const seed = spec.seed === undefined ? {} : spec.format.parse(spec.seed, snapshot.file);
    return [{}, seed].some(
      (start) => isDeepStrictEqual(left, start) || isDeepStrictEqual(left, { ...start, [spec.serversKey]: spec.list ? [] : {} }),
    );
  }

  /** What connect would do to the file as it is now (nothing written): the result, and the text to write. */
  async function planConnect(options: ChangeOptions = {}): Promise<ConnectPlan> {
    const dryRun = options.dryRun ?? false;
    const location = locate();
    if (!location.installed) {
      throw new ClientSetupError(
        'NOT_INSTALLED',
        `${spec.name} does not seem to be installed (nothing at ${location.configPath} or where it usually lives). Install it and start it once, then retry.`,
        location.configPath,
      );
    }
    const snapshot = await read(location.configPath);
    const existing = entryOf(snapshot);
    const result = base(location.configPath, dryRun);
    if (location.note) result.notes.push(location.note);
    const desired = presets.desiredFor(presets.choose(options, existing, existing !== undefined && judge(existing).kind === 'ours'));
    let value = desired;
    if (existing !== undefined) {
      const verdict = judge(existing, desired);
      if (verdict.current) return { result: { ...result, action: 'unchanged' }, snapshot, existing };
      if (verdict.kind === 'foreign' && !options.force) throw foreign(location.configPath, 'setup');
      if (verdict.kind === 'ours') {
        const merged = merge(existing, desired);
        value = merged.entry;
        result.notes.push(...describeMerge(merged));
      }
    }
    const planned = plan(snapshot, value);
    if (planned.note) result.notes.push(planned.note);
    const missing = missingSeedKeys(snapshot);
    if (missing.length > 0) {
      const keys = missing.length > 1 ? `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}` : missing[0];
      const them = missing.length > 1 ? 'them' : 'it';
      result.notes.push(
        `${location.configPath} lacks ${keys}, which ${spec.name} requires at its top: add ${them} (setup changes only its own entry).`,
      );
    }
    const action = existing === undefined ? 'connected' : 'updated';
    const diff = unifiedDiff(location.configPath, snapshot.text, planned.text);
    return { result: { ...result, action, diff }, snapshot, existing, value, text: planned.text, write: planned.write };
  }

  const client: FileClient = {
    id: spec.id,
    name: spec.name,
    applyHint: spec.applyHint,
    locate,
    format: spec.format,
    parse: (text, file) => (spec.format ? spec.format.parse(text, file) : parseRoot(text, file)),

    async status(): Promise<ClientStatus> {
      const location = locate();
      const status: ClientStatus = {
        id: spec.id,
        name: spec.name,
        installed: location.installed,
        configPath: location.configPath,
        entry: 'absent',
        current: false,
        commandExists: null,
        connected: false,
        tools: presets.defaultGroups,
        ...presets.cap,
      };
      let entry: unknown;
      try {
        entry = entryOf(await read(location.configPath));
      } catch (error) {
        if (!(error instanceof ClientSetupError)) throw error;
        return { ...status, problem: error.message };
      }
      if (entry === undefined) return status;
      const verdict = judge(entry);
      return {
        ...status,
        ...(verdict.kind === 'ours' ? { tools: presets.groupsOfEntry(entry) } : {}),
        entry: verdict.kind,
        current: verdict.current,
        commandExists: verdict.commandExists,
        connected: verdict.kind === 'ours' && verdict.commandExists,
        ...(verdict.stale ? { stale: verdict.stale } : {}),
      };
    },

    planConnect,

    async connect(options: ChangeOptions = {}): Promise<ChangeResult> {
      const plan = await planConnect(options);
      if (plan.result.action === 'unchanged' || plan.result.dryRun || plan.write === undefined) return plan.result;
      const { backup } = await commitChange(plan.snapshot, plan.write, { createParents: true, ...hook(deps) });
      return { ...plan.result, notes: [...plan.result.notes, spec.applyHint], ...(backup ? { backup } : {}) };
    },

    async disconnect(options: ChangeOptions = {}): Promise<ChangeResult> {
      const dryRun = options.dryRun ?? false;
      const location = locate();
      const result = base(location.configPath, dryRun);
      const diffs: string[] = [];
      let removed = false;
      // The main file first: its errors stop us. Older locations (e.g. Claude Desktop before MSIX) are cleaned
      // when they hold our entry; a problem there is only a note.
      for (const [index, file] of [location.configPath, ...location.otherPaths].entries()) {
        try {
          const snapshot = await read(file);
          const existing = entryOf(snapshot);
          if (existing === undefined) continue;
          const kind = judge(existing).kind;
          if (kind === 'foreign' && !options.force) throw foreign(file, 'unsetup');
          const planned = plan(snapshot, undefined);
          if (index === 0 && kind === 'ours' && (await weCreated(snapshot, planned.text))) {
            // Setup created this file and it holds nothing else: leave no file, as unsetup found it before setup.
            diffs.push(unifiedDiff(file, snapshot.text, ''));
            result.notes.push(`${dryRun ? 'Would remove' : 'Removed'} ${file}: setup created it and it holds nothing else.`);
            if (!dryRun) await removeConfigFile(snapshot);
            removed = true;
            continue;
          }
          diffs.push(unifiedDiff(file, snapshot.text, planned.text));
          if (!dryRun) {
            const { backup } = await commitChange(snapshot, planned.write, { createParents: false, ...hook(deps) });
            if (backup && index === 0) result.backup = backup;
            if (index > 0) result.notes.push(`Also removed the entry from ${file}.`);
          }
          removed = true;
        } catch (error) {
          if (index === 0 || !(error instanceof ClientSetupError)) throw error;
          result.notes.push(`Did not check ${file}: ${error.message}`);
        }
      }
      if (!removed) return { ...result, action: 'absent' };
      if (!dryRun) result.notes.push(spec.applyHint);
      return { ...result, action: 'disconnected', diff: diffs.join('') };
    },
  };
  return client;
}

/** The entry setup writes for a client, by tool preset, and which preset an entry (or a change) asks for. */
export function entryPresets(spec: Pick<FileClientSpec, 'id' | 'shape' | 'withType'>, launch: BridgeLaunch) {
  const clientDefault = defaultPreset(spec.id);
  /** The entry's `--tools`; null when it has none. */
  const asked = (entry: unknown): ToolPreset | null => presetOfArgs(bridgeOptionsOfEntry(entry, spec.shape));
  /** The groups asked for, else those the entry of ours already names (the user's choice), else the client's default. */
  const choose = (options: ChangeOptions, existing: unknown, ours: boolean): ToolPreset => {
    if (options.tools !== undefined) return normalizePreset(options.tools);
    const named = ours ? asked(existing) : null;
    return named === null ? clientDefault : named;
  };
  const cap = TOOL_CAPS[spec.id];
  return {
    desiredFor: (preset: ToolPreset): Record<string, unknown> => {
      const withPreset = withTools(launch, preset, clientDefault);
      return spec.shape ? spec.shape.build(withPreset) : buildEntry(withPreset, spec);
    },
    choose,
    /** The groups an entry of ours offers (no `--tools`: all of them, as the bridge reads it). */
    groupsOfEntry: (entry: unknown): ToolGroup[] => groupsOf(asked(entry) ?? undefined),
    defaultGroups: groupsOf(clientDefault),
    /** For a status: the client's cap, if it has one. */
    cap: cap ? { toolCap: cap } : {},
  };
}

/** What `setup` did to an entry of ours that the user had edited: additions kept, our values restored. */
export function describeMerge(merged: { kept: string[]; changed: string[] }): string[] {
  const notes: string[] = [];
  if (merged.kept.length > 0) notes.push(`Kept your additions to the "${ENTRY_NAME}" entry: ${merged.kept.join(', ')}.`);
  if (merged.changed.length > 0) notes.push(`Set to this install's values: ${merged.changed.join(', ')}.`);
  return notes;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function hook(deps: ClientDeps): { beforeRename?: () => Promise<void> } {
  return deps.beforeRename ? { beforeRename: deps.beforeRename } : {};
}
