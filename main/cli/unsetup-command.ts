import { CLIENT_IDS } from '../core/clients/types.ts';
import { clientsToChange, describeError, describeResult, parseClientArgs } from './setup-command.ts';

const HELP = `Usage: daytona-tray unsetup <client|all> [--project DIR] [--dry-run] [--force]

Disconnects an AI client: removes the "daytona" server that setup added, and nothing else.
  <client>    ${CLIENT_IDS.join(', ')}, or all
  --project   the project's config in DIR instead of the user's
  --dry-run   print the change as a unified diff; write nothing, run nothing
  --force     also remove a "daytona" server that Daytona Tray did not write`;

export async function run(argv: string[]): Promise<number> {
  const args = parseClientArgs('unsetup', HELP, argv, true);
  if (typeof args === 'number') return args;
  const clients = clientsToChange(args, 'unsetup');
  if (typeof clients === 'string') {
    process.stderr.write(`daytona-tray unsetup: ${clients}\n`);
    return 1;
  }
  let failed = 0;
  for (const client of clients) {
    try {
      process.stdout.write(describeResult(await client.disconnect({ dryRun: args.dryRun, force: args.force })));
    } catch (error) {
      failed++;
      process.stderr.write(describeError(client, error));
    }
  }
  return failed > 0 ? 1 : 0;
}
