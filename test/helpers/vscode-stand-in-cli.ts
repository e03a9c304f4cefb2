// Run as `code` (a wrapper script execs this with Node): a stand-in for VS Code's command line, because VS Code
// cannot be installed here. It does only `--add-mcp`, exactly as VS Code's source does it, and nothing else (no
// window, no other option). Read at github.com/microsoft/vscode (docs/clients.md has the links and commits):
// - src/vs/code/node/cli.ts: `--add-mcp` is handled in the CLI process (cliProcessMain), never by the app;
// - cliProcessMain.ts: `McpManagementCli.addMcpDefinitions(argv['add-mcp'])`, into the default profile, whose
//   mcp.json is <user data dir>/User/mcp.json (`--user-data-dir`, else ~/.config/Code on Linux);
// - platform/mcp/common/mcpManagementCli.ts: each value is JSON with a `name` and a `command` or `url`;
// - platform/mcp/common/mcpResourceScannerService.ts: the file is read as JSONC, each server given a `type` if it
//   lacks one, ours set by name, `inputs` kept (`[]` when absent), and the whole file written back with
//   JSON.stringify(..., '\t') (or deleted when nothing is left).
// Not modelled: resources/linux/bin/code.sh refuses to run as root without --user-data-dir (setup then falls back
// like for any failing command, which clients-own-cli tests with a failing program).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse, type ParseError } from 'jsonc-parser';

type Server = Record<string, unknown>;
interface Scanned {
  servers?: Record<string, Server>;
  inputs?: { id: string }[];
}

function option(args: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}` && i + 1 < args.length) values.push(args[++i]!);
    else if (args[i]!.startsWith(`--${name}=`)) values.push(args[i]!.slice(name.length + 3));
  }
  return values;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const definitions = option(args, 'add-mcp');
if (definitions.length === 0) fail('vscode-stand-in: only --add-mcp is implemented');

// McpManagementCli.validateConfiguration
const configs = definitions.map((text) => {
  let parsed: Server & { name?: string; inputs?: { id: string }[] };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (error) {
    return fail(`Invalid JSON '${text}': ${String(error)}`);
  }
  if (!parsed.name) fail(`Missing name property in ${text}`);
  if (!('command' in parsed) && !('url' in parsed)) fail(`Missing command or URL property in ${text}`);
  const { name, inputs, ...config } = parsed;
  return { name: name!, inputs, config };
});

const userDataDir = option(args, 'user-data-dir')[0] ?? join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'Code');
const userDir = join(userDataDir, 'User');
mkdirSync(userDir, { recursive: true }); // cliProcessMain creates appSettingsHome first
const file = join(userDir, 'mcp.json');

// McpResourceScannerService.withProfileMcpServers: read (JSONC), fromUserMcpServers, update, writeScannedMcpServers
let scanned: Scanned = {};
let text: string | undefined;
try {
  text = readFileSync(file, 'utf8');
} catch {
  text = undefined; // FILE_NOT_FOUND
}
if (text !== undefined) {
  const errors: ParseError[] = [];
  const result = (parse(text, errors, { allowTrailingComma: true, allowEmptyContent: true }) as Scanned | undefined) ?? {};
  if (errors.length > 0) fail(`Failed to parse scanned MCP servers: ${errors.map((e) => e.error).join(', ')}`);
  scanned = { inputs: result.inputs };
  const servers = Object.entries(result.servers ?? {});
  if (servers.length > 0) scanned.servers = Object.fromEntries(servers.map(([name, server]) => [name, sanitize(server)]));
}
let inputs = scanned.inputs ?? [];
const servers = scanned.servers ?? {};
for (const { name, config, inputs: added } of configs) {
  servers[name] = config;
  if (added) inputs = [...inputs, ...added.filter((input) => !inputs.some((known) => known.id === input.id))];
}
if (Object.keys(servers).length > 0 || inputs.length > 0) writeFileSync(file, JSON.stringify({ servers, inputs }, null, '\t'));
else rmSync(file, { force: true });
process.stdout.write(`Added MCP servers: ${configs.map((c) => c.name).join(', ')}\n`);

/** sanitizeServer: an old `{ config }` record unwrapped; `type` set from `command` when missing or unknown. */
function sanitize(server: Server): Server {
  const config = server.config as Server | undefined;
  const result: Server = config ? { ...config, version: server.version, gallery: server.gallery } : server;
  if (result.type !== 'stdio' && result.type !== 'http') result.type = result.command ? 'stdio' : 'http';
  return result;
}
