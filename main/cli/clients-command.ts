import { parseArgs } from 'node:util';
import { TOOL_GROUPS } from '../../preload/contract.ts';
import type { ClientStatus } from '../core/clients/types.ts';
import { clientsForThisProcess } from './setup-command.ts';

const HELP = `Usage: daytona-tray clients [--json]

Lists the AI clients Daytona Tray can connect, whether each is installed and connected,
and the config file it uses.
  --json   print a JSON array (one object per client) instead of a table`;

/** One word or phrase per client: what the user needs to know first. */
export function describeState(status: ClientStatus): string {
  if (status.problem) return 'unknown (see below)';
  if (status.entry === 'foreign') return 'a "daytona" server not written by Daytona Tray';
  if (status.entry === 'absent') return 'not connected';
  if (!status.commandExists) return "broken: its command is gone (run 'daytona-tray setup' again)";
  if (!status.current)
    return "connected, but not as this install would set it up (run 'daytona-tray setup --dry-run' to see what would change)";
  return 'connected';
}

/** The tool groups the entry asks for (or setup would): `all`, or the list. */
export function describeTools(status: ClientStatus): string {
  return status.tools.length === TOOL_GROUPS.length ? 'all' : status.tools.join(',');
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (error) {
    process.stderr.write(`daytona-tray clients: ${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const statuses = await Promise.all(Object.values(clientsForThisProcess()).map((client) => client.status()));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(statuses, null, 2)}\n`);
    return 0;
  }
  const rows = [
    ['CLIENT', 'INSTALLED', 'STATE', 'TOOLS', 'CONFIG'],
    ...statuses.map((s) => [s.id, s.installed ? 'yes' : 'no', describeState(s), describeTools(s), s.configPath]),
  ];
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) =>
    row
      .map((cell, column) => (column < 4 ? cell.padEnd(widths[column]!) : cell))
      .join('  ')
      .trimEnd(),
  );
  for (const s of statuses) {
    if (s.problem) lines.push('', `${s.name}: ${s.problem}`);
    if (s.cli) lines.push('', `${s.name}: changes go through its CLI (${s.cli}).`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
