import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { readConfigFile, type ConfigSnapshot } from './config-file.ts';
import { planChange, unifiedDiff } from './config-text.ts';
import { judgeEntry, mergeEntry } from './entry.ts';
import { createFileClient, describeMerge, entryPresets, type ClientDeps, type FileClientSpec } from './file-client.ts';
import { envVar, findExecutable, pathExists, usualBinDirs, type Host } from './host.ts';
import { ClientSetupError, ENTRY_NAME, type AiClient, type ChangeOptions, type ChangeResult, type ClientLocation } from './types.ts';

/** Runs a program without a shell and returns how it ended; never rejects for a non-zero exit. */
export type ProgramRunner = (
  file: string,
  args: string[],
  options: { env: Readonly<Record<string, string | undefined>> },
) => Promise<ProgramOutcome>;
export interface ProgramOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why it could not start or was killed (ENOENT, timeout), if so. */
  error?: string;
}

const CLI_TIMEOUT_MS = 30_000;

/** execFile with a timeout and a hard kill: a hung `claude` must not hang setup. */
export const runProgram: ProgramRunner = (file, args, options) =>
  new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        env: options.env as NodeJS.ProcessEnv,
        timeout: CLI_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        windowsHide: true,
        maxBuffer: 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const failure = error as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
        const code = failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null;
        const outcome: ProgramOutcome = { code, stdout, stderr };
        if (failure && code === null)
          outcome.error = failure.killed ? `timed out after ${CLI_TIMEOUT_MS / 1000} s` : String(failure.code ?? failure.message);
        resolve(outcome);
      },
    );
  });

/** Claude Code keeps user-scope servers in ~/.claude.json (or $CLAUDE_CONFIG_DIR/.claude.json), root `mcpServers`. */
export function locateClaudeCode(host: Host): ClientLocation {
  const configDir = envVar(host, 'CLAUDE_CONFIG_DIR');
  const configPath = join(configDir ?? host.home, '.claude.json');
  const markers = [configPath, join(host.home, '.claude'), ...(configDir ? [configDir] : [])];
  const installed = findClaudeCli(host) !== undefined || markers.some(pathExists);
  return { configPath, installed, otherPaths: [] };
}

/** The `claude` CLI: PATH, then where its installers put it (a GUI app has no shell PATH). */
export function findClaudeCli(host: Host): string | undefined {
  return findExecutable(host, 'claude', [...usualBinDirs(host), join(host.home, '.claude', 'local')]);
}

const SPEC: FileClientSpec = {
  id: 'claude-code',
  name: 'Claude Code',
  applyHint: 'Start a new Claude Code session to load the change (check it with /mcp).',
  serversKey: 'mcpServers',
  withType: true,
  strictJson: true,
  locate: locateClaudeCode,
};

/**
 * Claude Code rewrites ~/.claude.json all the time (concurrent sessions have wiped hand edits), so when its
 * CLI is there we let it do the change: `claude mcp add-json daytona '<json>' --scope user` and
 * `claude mcp remove daytona --scope user`. We only read the file, to decide and to verify.
 * Without the CLI, the safe writer edits the file.
 */
export function createClaudeCodeClient(deps: ClientDeps & { run?: ProgramRunner }): AiClient {
  const { host } = deps;
  const run = deps.run ?? runProgram;
  const viaFile = createFileClient(SPEC, deps);
  // A project's .mcp.json is ours to edit: the claude CLI's project scope would write the same file.
  if (deps.projectDir !== undefined) return viaFile;
  const presets = entryPresets(SPEC, deps.launch);

  async function readEntry(file: string): Promise<{ snapshot?: ConfigSnapshot; entry?: unknown; problem?: string }> {
    try {
      const snapshot = await readConfigFile(file);
      const servers = snapshot.root.mcpServers;
      const entry =
        servers && typeof servers === 'object' && Object.hasOwn(servers, ENTRY_NAME)
          ? (servers as Record<string, unknown>)[ENTRY_NAME]
          : undefined;
      return { snapshot, entry };
    } catch (error) {
      if (!(error instanceof ClientSetupError)) throw error;
      return { problem: error.message };
    }
  }

  async function runAll(commands: string[][], file: string): Promise<void> {
    for (const [program, ...args] of commands) {
      const outcome = await run(program!, args, { env: host.env });
      if (outcome.code !== 0) {
        const said = (outcome.stderr || outcome.stdout).trim().split('\n').slice(-5).join('\n');
        throw new ClientSetupError(
          'CLI_FAILED',
          `'claude ${args.join(' ')}' failed (${outcome.error ?? `exit ${outcome.code}`})${said ? `:\n${said}` : ''}\nCheck 'claude mcp list', or set it up by hand in ${file}.`,
          file,
        );
      }
    }
  }

  function diffFor(snapshot: ConfigSnapshot | undefined, file: string, value: unknown): string | undefined {
    if (!snapshot) return undefined;
    return unifiedDiff(
      file,
      snapshot.text,
      planChange(snapshot, [{ path: ['mcpServers', ENTRY_NAME], value }], { strictOutput: true }).text,
    );
  }

  return {
    ...viaFile,

    async status() {
      const status = await viaFile.status();
      const cli = findClaudeCli(host);
      return cli ? { ...status, cli } : status;
    },

    async connect(options: ChangeOptions = {}): Promise<ChangeResult> {
      const cli = findClaudeCli(host);
      if (!cli) {
        const result = await viaFile.connect(options);
        if (result.action !== 'unchanged')
          result.notes.unshift(
            `No claude CLI found, so ${result.file} was edited directly; a running Claude Code session may write over it: if the entry is gone later, quit Claude Code and run setup again.`,
          );
        return result;
      }
      const dryRun = options.dryRun ?? false;
      const { configPath: file } = locateClaudeCode(host);
      const result: Omit<ChangeResult, 'action'> = { id: SPEC.id, name: SPEC.name, dryRun, file, via: 'claude-cli', notes: [] };
      const { snapshot, entry, problem } = await readEntry(file);
      if (problem) result.notes.push(`Could not read ${file} to check first (${problem}); left it to the claude CLI.`);
      const ours = entry !== undefined && judgeEntry(entry, {}, host).kind === 'ours';
      const desired = presets.desiredFor(presets.choose(options, entry, ours));
      let value = desired;
      if (entry !== undefined) {
        const verdict = judgeEntry(entry, desired, host);
        if (verdict.current) return { ...result, action: 'unchanged' };
        if (verdict.kind === 'foreign' && !options.force) {
          throw new ClientSetupError(
            'FOREIGN_ENTRY',
            `Claude Code already has a user-scope "${ENTRY_NAME}" server that Daytona Tray did not write, so it was left as it is. Remove it ('claude mcp remove ${ENTRY_NAME} --scope user') or run setup again with --force.`,
            file,
          );
        }
        if (verdict.kind === 'ours') {
          const merged = mergeEntry(entry, desired);
          value = merged.entry;
          result.notes.push(...describeMerge(merged));
        }
      }
      const commands = [
        ...(entry !== undefined ? [[cli, 'mcp', 'remove', ENTRY_NAME, '--scope', 'user']] : []),
        [cli, 'mcp', 'add-json', ENTRY_NAME, JSON.stringify(value), '--scope', 'user'],
      ];
      const action = entry === undefined ? 'connected' : 'updated';
      const diff = diffFor(snapshot, file, value);
      const shown: ChangeResult = { ...result, action, commands, ...(diff ? { diff } : {}) };
      if (dryRun) return shown;
      await runAll(commands, file);
      const after = await readEntry(file);
      if (after.entry === undefined || !judgeEntry(after.entry, desired, host).current) {
        shown.notes.push(`claude reported success, but ${file} does not show the entry; check with 'claude mcp list'.`);
      }
      shown.notes.push(SPEC.applyHint);
      return shown;
    },

    async disconnect(options: ChangeOptions = {}): Promise<ChangeResult> {
      const cli = findClaudeCli(host);
      if (!cli) return viaFile.disconnect(options);
      const dryRun = options.dryRun ?? false;
      const { configPath: file } = locateClaudeCode(host);
      const result: Omit<ChangeResult, 'action'> = { id: SPEC.id, name: SPEC.name, dryRun, file, via: 'claude-cli', notes: [] };
      const { snapshot, entry, problem } = await readEntry(file);
      if (!problem && entry === undefined) return { ...result, action: 'absent' };
      if (entry !== undefined && judgeEntry(entry, {}, host).kind === 'foreign' && !options.force) {
        throw new ClientSetupError(
          'FOREIGN_ENTRY',
          `Claude Code's user-scope "${ENTRY_NAME}" server was not written by Daytona Tray, so it was left as it is. Run unsetup with --force to remove it anyway.`,
          file,
        );
      }
      const commands = [[cli, 'mcp', 'remove', ENTRY_NAME, '--scope', 'user']];
      const diff = diffFor(snapshot, file, undefined);
      const shown: ChangeResult = { ...result, action: 'disconnected', commands, ...(diff ? { diff } : {}) };
      if (dryRun) return shown;
      await runAll(commands, file);
      shown.notes.push(SPEC.applyHint);
      return shown;
    },
  };
}
