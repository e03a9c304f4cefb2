import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { writeFileAtomic } from '../atomic-write.ts';
import { runProgram, type ProgramRunner } from './claude-code.ts';
import { backupOnce, hasBackup, readConfigFile, type ConfigSnapshot } from './config-file.ts';
import { commentsOf, lostComments } from './config-comments.ts';
import { isObject } from './config-format.ts';
import { unifiedDiff } from './config-text.ts';
import type { FileClient } from './file-client.ts';
import type { Host } from './host.ts';
import { ClientSetupError, ENTRY_NAME, type AiClient, type ChangeOptions, type ChangeResult } from './types.ts';

/**
 * A client's own command for its MCP servers (`gemini mcp add`, `qwen mcp add`, `codex mcp add`, `code --add-mcp`), used when it is
 * installed: the client knows its file best (where it is, its format's next version). These commands rewrite
 * the whole file, though: Gemini CLI re-indents it, Codex CLI drops comments on other servers' lines. So each
 * change runs first on a private copy of the file, and the real command runs only if that copy kept every key
 * and every comment of the user's; otherwise the safe writer makes the change and the result says why. A real
 * run that still loses something (the file changed in between) is undone from the bytes read before it.
 */
export interface ClientCliSpec {
  /** Shown in messages: `gemini`. */
  program: string;
  find(host: Host): string | undefined;
  /** The key under which the client keeps its servers (to tell an emptied file from one with other content). */
  serversKey: string;
  /** Arguments that add our entry; null when the entry holds something the command cannot say (the file is used). */
  addArgs(entry: Record<string, unknown>): string[] | null;
  /** Arguments that remove our entry; absent when the client has none (VS Code): removal edits the file then, and
   * its add must replace an entry of the same name. */
  removeArgs?(): string[];
  /** Environment and arguments that point the command at `home` instead of the user's, and where the file then is. */
  trial(home: string): { env: Record<string, string>; args?: string[]; configPath: string };
  /** Top-level keys the command adds with a value that says nothing (VS Code's `"inputs": []`): not a change of the user's. */
  emptyAdditions?: Record<string, unknown>;
}

export interface ClientCliDeps {
  host: Host;
  run?: ProgramRunner;
  /** Project scope edits the project's file: the commands below are user scope only. */
  projectDir?: string;
}

export function withClientCli(viaFile: FileClient, spec: ClientCliSpec, deps: ClientCliDeps): AiClient {
  const run = deps.run ?? runProgram;
  const { host } = deps;
  if (deps.projectDir !== undefined) return viaFile;
  const read = (file: string) => readConfigFile(file, viaFile.format ?? undefined);

  /** Runs the commands against a copy of `snapshot` under a private home; the copy's text after them. */
  async function trial(snapshot: ConfigSnapshot, commands: string[][]): Promise<string> {
    const home = await mkdtemp(join(tmpdir(), 'daytona-tray-client-cli-'));
    try {
      const { env, args = [], configPath } = spec.trial(home);
      await mkdir(dirname(configPath), { recursive: true });
      if (snapshot.raw) await writeFileAtomic(configPath, snapshot.raw, { mode: 0o600 });
      await runAll(
        commands.map((command) => [...command, ...args]),
        { ...host.env, ...env },
        snapshot.file,
      );
      return await readFile(configPath, 'utf8').catch(() => '');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }

  async function runAll(commands: string[][], env: Readonly<Record<string, string | undefined>>, file: string): Promise<void> {
    for (const [program, ...args] of commands) {
      const outcome = await run(program!, args, { env });
      if (outcome.code !== 0) {
        const said = (outcome.stderr || outcome.stdout).trim().split('\n').slice(-5).join('\n');
        throw new ClientSetupError(
          'CLI_FAILED',
          `'${spec.program} ${args.join(' ')}' failed (${outcome.error ?? `exit ${outcome.code}`})${said ? `:\n${said}` : ''}`,
          file,
        );
      }
    }
  }

  /** What of the user's a rewrite lost: keys or values other than our entry's, and comments. Empty when nothing. */
  function losses(before: ConfigSnapshot, after: string, expected: Record<string, unknown>): string[] {
    let root: Record<string, unknown>;
    try {
      root = viaFile.parse(after.replace(/^\uFEFF/, ''), before.file);
    } catch (error) {
      return [`it left a file that does not parse (${(error as Error).message.split('\n')[0]})`];
    }
    const found: string[] = [];
    for (const [key, empty] of Object.entries(spec.emptyAdditions ?? {}))
      if (!(key in expected) && isDeepStrictEqual(root[key], empty)) delete root[key];
    if (!isDeepStrictEqual(plain(root), plain(expected))) found.push('its result differs from the planned change');
    const lost = lostComments(commentsOf(before.text, viaFile.format), commentsOf(after, viaFile.format));
    if (lost.length > 0) found.push(`it drops ${lost.length === 1 ? 'a comment' : `${lost.length} comments`} (${quote(lost[0]!)})`);
    return found;
  }

  /** Runs the commands on the real file; undoes them (restoring the bytes read) if the file lost anything. */
  async function runForReal(
    snapshot: ConfigSnapshot,
    commands: string[][],
    expected: Record<string, unknown>,
  ): Promise<{ lost: string[]; backup?: string }> {
    const backup = await backupOnce(snapshot);
    try {
      await runAll(commands, host.env, snapshot.file);
    } catch (error) {
      // A remove that worked before an add that failed: put the file back as it was, then let the caller decide.
      await restore(snapshot);
      throw error;
    }
    const after = await readFile(snapshot.target, 'utf8').catch(() => '');
    const lost = losses(snapshot, after, expected);
    if (lost.length > 0) await restore(snapshot);
    return { lost, ...(backup ? { backup } : {}) };
  }

  async function restore(snapshot: ConfigSnapshot): Promise<void> {
    const now = await readFile(snapshot.target).catch(() => null);
    if (snapshot.raw === null) {
      if (now !== null) await rm(snapshot.target, { force: true });
    } else if (now === null || !now.equals(snapshot.raw)) {
      await writeFileAtomic(snapshot.target, snapshot.raw, { mode: snapshot.mode ?? 0o600 });
    }
  }

  /** The change made by the safe writer after the client's command failed or was not trusted: said in a note. */
  async function byFile(change: () => Promise<ChangeResult>, error: unknown): Promise<ChangeResult> {
    if (!(error instanceof ClientSetupError) || error.code !== 'CLI_FAILED') throw error;
    return withNote(await change(), `${error.message.split('\n')[0]}, so Daytona Tray changed only its entry itself.`);
  }

  const fallback = (why: string) =>
    `${spec.program}'s own command was not used: on a copy of the file ${why}. Daytona Tray changed only its entry itself.`;

  return {
    ...viaFile,

    async status() {
      const status = await viaFile.status();
      const cli = spec.find(host);
      return cli ? { ...status, cli } : status;
    },

    async connect(options: ChangeOptions = {}): Promise<ChangeResult> {
      const cli = spec.find(host);
      if (!cli) return viaFile.connect(options);
      const plan = await viaFile.planConnect(options);
      if (plan.result.action === 'unchanged' || plan.value === undefined || plan.text === undefined) return plan.result;
      const add = spec.addArgs(plan.value);
      if (add === null) return viaFile.connect(options);
      const commands = [...(plan.existing !== undefined && spec.removeArgs ? [[cli, ...spec.removeArgs()]] : []), [cli, ...add]];
      const expected = viaFile.parse(plan.text, plan.snapshot.file);
      let tried: string;
      try {
        tried = await trial(plan.snapshot, commands);
      } catch (error) {
        return byFile(() => viaFile.connect(options), error);
      }
      const lost = losses(plan.snapshot, tried, expected);
      if (lost.length > 0) return withNote(await viaFile.connect(options), fallback(lost.join('; ')));
      const result: ChangeResult = {
        ...plan.result,
        via: 'cli',
        commands,
        diff: unifiedDiff(plan.snapshot.file, plan.snapshot.text, tried.replace(/^\uFEFF/, '')),
      };
      if (result.dryRun) return result;
      let real: Awaited<ReturnType<typeof runForReal>>;
      try {
        real = await runForReal(plan.snapshot, commands, expected);
      } catch (error) {
        return byFile(() => viaFile.connect(options), error);
      }
      const { lost: undone, backup } = real;
      if (undone.length > 0) return withNote(await viaFile.connect(options), undoneNote(undone));
      return { ...result, ...(backup ? { backup } : {}), notes: [...result.notes, viaFile.applyHint] };
    },

    async disconnect(options: ChangeOptions = {}): Promise<ChangeResult> {
      const cli = spec.find(host);
      if (!cli || !spec.removeArgs) return viaFile.disconnect(options);
      // The file client decides (absent, foreign, a file setup created and would remove) and says it in a dry run.
      const planned = await viaFile.disconnect({ ...options, dryRun: true });
      if (planned.action !== 'disconnected') return planned;
      const snapshot = await read(planned.file);
      if (!snapshot.exists) return viaFile.disconnect(options);
      const commands = [[cli, ...spec.removeArgs()]];
      const expected = viaFile.parse(snapshot.text, snapshot.file);
      const servers = expected[spec.serversKey];
      if (isObject(servers)) delete servers[ENTRY_NAME];
      let tried: string;
      try {
        tried = await trial(snapshot, commands);
      } catch (error) {
        return byFile(() => viaFile.disconnect(options), error);
      }
      const lost = losses(snapshot, tried, expected);
      // A file that setup created and that holds nothing else goes away (the file client does that).
      if (lost.length > 0 || (await createdBySetup(snapshot, expected))) {
        const result = await viaFile.disconnect(options);
        return lost.length > 0 ? withNote(result, fallback(lost.join('; '))) : result;
      }
      const result: ChangeResult = {
        ...planned,
        dryRun: options.dryRun ?? false,
        via: 'cli',
        commands,
        diff: unifiedDiff(snapshot.file, snapshot.text, tried.replace(/^\uFEFF/, '')),
      };
      if (result.dryRun) return result;
      let real: Awaited<ReturnType<typeof runForReal>>;
      try {
        real = await runForReal(snapshot, commands, expected);
      } catch (error) {
        return byFile(() => viaFile.disconnect(options), error);
      }
      const { lost: undone, backup } = real;
      if (undone.length > 0) return withNote(await viaFile.disconnect(options), undoneNote(undone));
      return { ...result, ...(backup ? { backup } : {}), notes: [...result.notes, viaFile.applyHint] };
    },
  };

  async function createdBySetup(snapshot: ConfigSnapshot, left: Record<string, unknown>): Promise<boolean> {
    if (await hasBackup(snapshot)) return false;
    return isDeepStrictEqual(left, {}) || isDeepStrictEqual(left, { [spec.serversKey]: {} });
  }

  function undoneNote(lost: string[]): string {
    return `${spec.program}'s own command was undone (the file read before it was put back): ${lost.join('; ')}. Daytona Tray changed only its entry itself.`;
  }
}

function withNote(result: ChangeResult, note: string): ChangeResult {
  return { ...result, notes: [note, ...result.notes] };
}

/** TOML dates and the like compared by value, as JSON sees them. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function quote(comment: string): string {
  const line = comment.trim();
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

/**
 * `KEY=value` pairs of an entry's env map, for a command line; null when env holds anything but the variables
 * Daytona Tray itself sets (a variable the user added may be a secret, and argv is readable by every local user).
 */
export function envPairs(entry: Record<string, unknown>, key = 'env'): string[] | null {
  const env = entry[key];
  if (env === undefined) return [];
  if (!isObject(env)) return null;
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== 'string' || !OUR_ENV.test(name)) return null;
    pairs.push(`${name}=${value}`);
  }
  return pairs;
}
const OUR_ENV = /^(DAYTONA_TRAY_[A-Z_]+|ELECTRON_RUN_AS_NODE)$/;

/** An entry's `args` as a command line can carry them. */
export function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
