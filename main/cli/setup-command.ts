import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { appDataDir } from '../core/app-paths.ts';
import { bridgeLaunchForThisProcess, type BridgeLaunch } from '../core/clients/bridge-launch.ts';
import { bridgeLauncherPath, installBridgeLauncher } from '../core/clients/bridge-launcher.ts';
import { currentHost } from '../core/clients/host.ts';
import { createClients, selectClients } from '../core/clients/registry.ts';
import { TOOL_GROUPS, type ToolGroup } from '../../preload/contract.ts';
import { groupsOf, parseToolsOption } from '../core/clients/tool-presets.ts';
import { checkProjectDir, PROJECT_SCOPES } from '../core/clients/project-scope.ts';
import { CLIENT_IDS, ClientSetupError, isClientId, type AiClient, type ChangeResult, type ClientId } from '../core/clients/types.ts';

const HELP = `Usage: daytona-tray setup <client|all> [--project DIR] [--tools GROUPS] [--dry-run] [--force]

Connects an AI client to Daytona: adds a "daytona" server to its config that starts
'daytona-tray bridge' (absolute paths, no secret). Every other setting is kept; the file
is backed up once (<file>.daytona-tray.bak) before the first change.
  <client>    ${CLIENT_IDS.join(', ')}, or all (every installed client)
  --tools     the tool groups this client gets, comma-separated, or all:
              ${TOOL_GROUPS.join(', ')}
              (default: those its entry has, else the client's preset: Cursor takes at
              most 40 tools, so it goes without computer-use)
  --project   write the project's config in DIR instead of the user's (${Object.keys(PROJECT_SCOPES).join(', ')};
              all: those of them installed here)
  --dry-run   print the change as a unified diff; write nothing, run nothing
  --force     replace a "daytona" server that Daytona Tray did not write`;

/**
 * The bridge launch of this very CLI (out/main/cli.js, next to this file's folder), and the launcher file it runs
 * when this CLI runs from an AppImage (bridge-launcher.ts), which setup puts in place before writing an entry.
 */
function thisProcessLaunch(): { launch: BridgeLaunch; launcher: string | undefined } {
  const cliScript = fileURLToPath(new URL('../cli.js', import.meta.url));
  const launcher = bridgeLauncherPath(appDataDir());
  const launch = bridgeLaunchForThisProcess(cliScript, process.env, { launcher });
  return { launch, launcher: launch.args[0] === launcher ? launcher : undefined };
}

/** The clients as this process sees them: real HOME and env, and the bridge launch of this very CLI. */
export function clientsForThisProcess(projectDir?: string): Record<ClientId, AiClient> {
  return createClients({ host: currentHost(), launch: thisProcessLaunch().launch, ...(projectDir ? { projectDir } : {}) });
}

/**
 * The clients a command acts on: at user level those named (`all`: every one); with --project, the clients
 * that have a project config (`all`: those installed here, or for unsetup every one of them). A named client
 * without one is an error that says what to do.
 */
export function clientsToChange(args: ParsedClientArgs, command: 'setup' | 'unsetup'): AiClient[] | string {
  if (args.project === undefined) return selectClients(clientsForThisProcess(), args.which);
  const user = clientsForThisProcess();
  const inProject = clientsForThisProcess(args.project);
  const scoped = CLIENT_IDS.filter((id) => PROJECT_SCOPES[id] !== undefined);
  if (args.which !== 'all') {
    if (PROJECT_SCOPES[args.which]) return [inProject[args.which]];
    return `${user[args.which].name} has no project-level MCP config; run 'daytona-tray ${command} ${args.which}' without --project. Clients with one: ${scoped.join(', ')}.`;
  }
  const chosen = command === 'unsetup' ? scoped : scoped.filter((id) => user[id].locate().installed);
  if (chosen.length === 0)
    return `none of the clients with a project config (${scoped.join(', ')}) seems to be installed; name one: daytona-tray setup cursor --project ${args.project}`;
  return chosen.map((id) => inProject[id]);
}

export interface ParsedClientArgs {
  which: ClientId | 'all';
  dryRun: boolean;
  force: boolean;
  /** `--tools`: the groups asked for (all of them for `all`). */
  tools?: ToolGroup[];
  /** `--project DIR`, absolute: the project's config instead of the user's. */
  project?: string;
}

/** Parses `<client|all> [--dry-run] [--force]`; returns an exit code (after printing why) when it cannot. */
export function parseClientArgs(command: string, help: string, argv: string[], allowDryRun: boolean): ParsedClientArgs | number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'dry-run': { type: 'boolean' },
        force: { type: 'boolean' },
        tools: { type: 'string' },
        project: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`daytona-tray ${command}: ${(error as Error).message}\n\n${help}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  if (values['dry-run'] && !allowDryRun) {
    process.stderr.write(`daytona-tray ${command}: --dry-run is not supported here.\n\n${help}\n`);
    return 2;
  }
  let tools: ToolGroup[] | undefined;
  if (values.tools !== undefined) {
    if (command !== 'setup') {
      process.stderr.write(`daytona-tray ${command}: --tools is not supported here.\n\n${help}\n`);
      return 2;
    }
    try {
      tools = groupsOf(parseToolsOption(values.tools));
    } catch (error) {
      process.stderr.write(`daytona-tray ${command}: --tools: ${(error as Error).message}\n`);
      return 2;
    }
  }
  let project: string | undefined;
  if (values.project !== undefined) {
    project = resolve(values.project);
    try {
      checkProjectDir(project);
    } catch (error) {
      process.stderr.write(`daytona-tray ${command}: --project: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const [which, ...extra] = positionals;
  if (which === undefined || extra.length > 0 || (which !== 'all' && !isClientId(which))) {
    const got =
      which === undefined
        ? 'no client named'
        : extra.length > 0
          ? `more than one client named (${positionals.join(' ')})`
          : `unknown client '${which}'`;
    process.stderr.write(`daytona-tray ${command}: ${got}; name one of ${CLIENT_IDS.join(', ')}, or all.\n\n${help}\n`);
    return 2;
  }
  return {
    which,
    dryRun: values['dry-run'] ?? false,
    force: values.force ?? false,
    ...(tools ? { tools } : {}),
    ...(project ? { project } : {}),
  };
}

/** Human lines for one result; the diff when it is a dry run. */
export function describeResult(result: ChangeResult): string {
  const lines: string[] = [];
  const where = `${result.file}${result.via === 'claude-cli' ? ', via the claude CLI' : result.via === 'cli' ? `, via the ${result.commands?.[0]?.[0]?.split(/[\\/]/).pop() ?? "client's own"} CLI` : ''}`;
  if (result.clipboard !== undefined) {
    // Nothing to write (JetBrains): the JSON to paste, and where.
    return `${result.name}: no config file to edit; paste this in ${result.file} (Add > As JSON):\n${result.clipboard}\n`;
  }
  const verb: Record<ChangeResult['action'], [string, string]> = {
    connected: ['connected', 'would connect'],
    updated: ['updated the daytona entry', 'would update the daytona entry'],
    unchanged: ['already connected, nothing to change', 'already connected, nothing to change'],
    disconnected: ['disconnected', 'would disconnect'],
    absent: ['not connected, nothing to remove', 'not connected, nothing to remove'],
  };
  const [done, would] = verb[result.action];
  lines.push(`${result.name}: ${result.dryRun ? `${would} (dry run: nothing written)` : done} (${where}).`);
  if (result.dryRun && result.commands) for (const command of result.commands) lines.push(`  would run: ${command.map(quote).join(' ')}`);
  if (result.backup) lines.push(`  Backup of the previous file: ${result.backup}`);
  for (const note of result.notes) lines.push(`  ${note}`);
  if (result.dryRun && result.diff) lines.push(result.diff.trimEnd());
  return `${lines.join('\n')}\n`;
}

/** A ClientSetupError's message is written for the user; anything else is a bug, said as such. */
export function describeError(client: AiClient, error: unknown): string {
  const message = error instanceof ClientSetupError ? error.message : `unexpected error: ${(error as Error)?.stack ?? String(error)}`;
  return message.startsWith(`${client.name} `) ? `${message}\n` : `${client.name}: ${message}\n`;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseClientArgs('setup', HELP, argv, true);
  if (typeof args === 'number') return args;
  const clients = clientsToChange(args, 'setup');
  if (typeof clients === 'string') {
    process.stderr.write(`daytona-tray setup: ${clients}\n`);
    return 1;
  }
  const { launcher } = thisProcessLaunch();
  if (launcher !== undefined && !args.dryRun) await installBridgeLauncher(launcher);
  let failed = 0;
  let attempted = 0;
  for (const client of clients) {
    if (args.which === 'all' && args.project === undefined && !client.locate().installed) {
      process.stdout.write(`${client.name}: not installed, skipped.\n`);
      continue;
    }
    attempted++;
    try {
      const options = { dryRun: args.dryRun, force: args.force, ...(args.tools ? { tools: args.tools } : {}) };
      process.stdout.write(describeResult(await client.connect(options)));
    } catch (error) {
      failed++;
      process.stderr.write(describeError(client, error));
    }
  }
  if (attempted === 0) {
    process.stderr.write(`daytona-tray setup: none of the supported AI clients (${CLIENT_IDS.join(', ')}) seems to be installed.\n`);
    return 1;
  }
  return failed > 0 ? 1 : 0;
}
