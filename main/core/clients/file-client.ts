import type { BridgeLaunch } from './bridge-launch.ts';
import { commitChange, hasBackup, readConfigFile, removeConfigFile, type ConfigSnapshot } from './config-file.ts';
import { assertNoDuplicateKeys, planChange, unifiedDiff } from './config-text.ts';
import { buildEntry, judgeEntry, mergeEntry, type EntryStyle } from './entry.ts';
import type { Host } from './host.ts';
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
}

export interface ClientDeps {
  host: Host;
  /** The bridge launch written into every client's entry. */
  launch: BridgeLaunch;
  /** Test seam passed to the safe writer (runs just before its re-read and rename). */
  beforeRename?: () => Promise<void>;
}

/** A client whose user-level config is a JSON file edited with the safe writer. */
export function createFileClient(spec: FileClientSpec, deps: ClientDeps): AiClient {
  const { host } = deps;
  const desired = buildEntry(deps.launch, spec);

  function serversOf(snapshot: ConfigSnapshot): Record<string, unknown> | undefined {
    assertNoDuplicateKeys(snapshot, [spec.serversKey, ENTRY_NAME]);
    const servers = snapshot.root[spec.serversKey];
    if (servers === undefined) return undefined;
    if (servers === null || typeof servers !== 'object' || Array.isArray(servers)) {
      throw new ClientSetupError(
        'BAD_SHAPE',
        `In ${snapshot.file}, "${spec.serversKey}" is not an object, so the file was left as it is. Fix it by hand, then retry.`,
        snapshot.file,
      );
    }
    return servers as Record<string, unknown>;
  }

  function entryOf(snapshot: ConfigSnapshot): unknown {
    const servers = serversOf(snapshot);
    return servers && Object.hasOwn(servers, ENTRY_NAME) ? servers[ENTRY_NAME] : undefined;
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
    return after.replace(/\s/g, '') === JSON.stringify({ [spec.serversKey]: {} });
  }

  const client: AiClient = {
    id: spec.id,
    name: spec.name,
    applyHint: spec.applyHint,
    locate: () => spec.locate(host),

    async status(): Promise<ClientStatus> {
      const location = spec.locate(host);
      const status: ClientStatus = {
        id: spec.id,
        name: spec.name,
        installed: location.installed,
        configPath: location.configPath,
        entry: 'absent',
        current: false,
        commandExists: null,
        connected: false,
      };
      let entry: unknown;
      try {
        entry = entryOf(await readConfigFile(location.configPath));
      } catch (error) {
        if (!(error instanceof ClientSetupError)) throw error;
        return { ...status, problem: error.message };
      }
      if (entry === undefined) return status;
      const verdict = judgeEntry(entry, desired, host);
      return {
        ...status,
        entry: verdict.kind,
        current: verdict.current,
        commandExists: verdict.commandExists,
        connected: verdict.kind === 'ours' && verdict.commandExists,
      };
    },

    async connect(options: ChangeOptions = {}): Promise<ChangeResult> {
      const dryRun = options.dryRun ?? false;
      const location = spec.locate(host);
      if (!location.installed) {
        throw new ClientSetupError(
          'NOT_INSTALLED',
          `${spec.name} does not seem to be installed (nothing at ${location.configPath} or where it usually lives). Install it and start it once, then retry.`,
          location.configPath,
        );
      }
      const snapshot = await readConfigFile(location.configPath);
      const existing = entryOf(snapshot);
      const result = base(location.configPath, dryRun);
      if (location.note) result.notes.push(location.note);
      let value = desired;
      if (existing !== undefined) {
        const verdict = judgeEntry(existing, desired, host);
        if (verdict.current) return { ...result, action: 'unchanged' };
        if (verdict.kind === 'foreign' && !options.force) throw foreign(location.configPath, 'setup');
        if (verdict.kind === 'ours') {
          const merged = mergeEntry(existing, desired);
          value = merged.entry;
          result.notes.push(...describeMerge(merged));
        }
      }
      const planned = planChange(snapshot, [{ path: [spec.serversKey, ENTRY_NAME], value }], { strictOutput: spec.strictJson });
      if (planned.normalized)
        result.notes.push(
          `Comments and trailing commas were dropped: ${spec.name} reads plain JSON only (the original stays in the backup).`,
        );
      const action = existing === undefined ? 'connected' : 'updated';
      const diff = unifiedDiff(location.configPath, snapshot.text, planned.text);
      if (dryRun) return { ...result, action, diff };
      const { backup } = await commitChange(snapshot, planned.text, { createParents: location.installed, ...hook(deps) });
      result.notes.push(spec.applyHint);
      return { ...result, action, diff, ...(backup ? { backup } : {}) };
    },

    async disconnect(options: ChangeOptions = {}): Promise<ChangeResult> {
      const dryRun = options.dryRun ?? false;
      const location = spec.locate(host);
      const result = base(location.configPath, dryRun);
      const diffs: string[] = [];
      let removed = false;
      // The main file first: its errors stop us. Older locations (e.g. Claude Desktop before MSIX) are cleaned
      // when they hold our entry; a problem there is only a note.
      for (const [index, file] of [location.configPath, ...location.otherPaths].entries()) {
        try {
          const snapshot = await readConfigFile(file);
          const existing = entryOf(snapshot);
          if (existing === undefined) continue;
          const kind = judgeEntry(existing, desired, host).kind;
          if (kind === 'foreign' && !options.force) throw foreign(file, 'unsetup');
          const planned = planChange(snapshot, [{ path: [spec.serversKey, ENTRY_NAME], value: undefined }], {
            strictOutput: spec.strictJson,
          });
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
            const { backup } = await commitChange(snapshot, planned.text, { createParents: false, ...hook(deps) });
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

/** What `setup` did to an entry of ours that the user had edited: additions kept, our values restored. */
export function describeMerge(merged: { kept: string[]; changed: string[] }): string[] {
  const notes: string[] = [];
  if (merged.kept.length > 0) notes.push(`Kept your additions to the "${ENTRY_NAME}" entry: ${merged.kept.join(', ')}.`);
  if (merged.changed.length > 0) notes.push(`Set to this install's values: ${merged.changed.join(', ')}.`);
  return notes;
}

function hook(deps: ClientDeps): { beforeRename?: () => Promise<void> } {
  return deps.beforeRename ? { beforeRename: deps.beforeRename } : {};
}
