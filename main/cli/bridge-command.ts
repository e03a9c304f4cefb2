import { parseArgs } from 'node:util';
import { runBridge } from '../mcp/bridge/run-bridge.ts';
import { keepStdoutForProtocol, onShutdownSignal, watchParent } from '../mcp/lifecycle.ts';
import { createLogger } from '../mcp/log.ts';
import { runtimeFilePath } from '../core/runtime-file.ts';
import { SHARED_GRACE_ENV } from '../mcp/shared-lifetime.ts';
import { TOOL_GROUPS } from '../../preload/contract.ts';
import { parseToolsOption } from '../core/clients/tool-presets.ts';
import { appImageRelaunch } from '../core/clients/bridge-launch.ts';

const HELP = `Usage: daytona-tray bridge [--tools GROUPS]

The stdio MCP endpoint that AI clients launch. It relays every message to the Daytona MCP server the tray
runs (found through the runtime file in the app data directory). When none is running, the first bridge starts
one shared server for every client (\`mcp --http --shared\`, log in mcp-shared.log beside the runtime file); it
stops on its own some minutes after its last client left (the settings' mcp.sharedGraceMinutes, default 10;
${SHARED_GRACE_ENV} in ms overrides it). Only when that
server cannot start does a bridge serve the same tools in its own process, and says so in its log.
It needs no secrets; it exits when stdin closes or its parent exits.

  --tools GROUPS  offer this client only these tool groups, comma-separated (${TOOL_GROUPS.join(', ')}),
                  or all (the default); for clients that take a limited number of tools (setup writes it)

Environment: DAYTONA_API_KEY / DAYTONA_API_URL select this client's own Daytona account: with no server
running it is served in this process, never by a shared server; DAYTONA_TRAY_HOME moves the app data directory.`;

const EXIT_GRACE_MS = 1000;

export async function run(argv: string[]): Promise<number> {
  let tools: readonly string[] | undefined;
  // Most clients pass no option: parseArgs (two more built-in modules to load on every start) runs only for one.
  if (argv.length > 0) {
    try {
      const { values } = parseArgs({
        args: argv,
        options: { help: { type: 'boolean', short: 'h' }, tools: { type: 'string' } },
        strict: true,
      });
      if (values.help) {
        // Help is the one thing a human runs by hand; a client never passes it.
        process.stdout.write(`${HELP}\n`);
        return 0;
      }
      if (values.tools !== undefined) {
        const preset = parseToolsOption(values.tools);
        if (preset !== undefined) tools = preset;
      }
    } catch (error) {
      process.stderr.write(`daytona-tray bridge: ${(error as Error).message}\n\n${HELP}\n`);
      return 2;
    }
  }
  keepStdoutForProtocol();
  const log = createLogger({ name: 'bridge' });
  // From an AppImage, the shared server (which outlives this bridge) needs a mount of its own.
  const relaunch = appImageRelaunch(process.env, process.execPath);
  const bridge = runBridge({
    runtimeFile: runtimeFilePath(),
    env: process.env,
    log,
    ...(tools ? { tools } : {}),
    execPath: relaunch?.command ?? process.execPath,
    cliScript: process.argv[1]!,
    ...(relaunch ? { launchArgs: relaunch.args } : {}),
  });
  const stopWatching = watchParent(() => {
    log.info('the client that started the bridge is gone; exiting');
    bridge.stop();
  });
  const removeSignals = onShutdownSignal(() => bridge.stop());
  await bridge.done;
  stopWatching();
  removeSignals();
  setTimeout(() => process.exit(0), EXIT_GRACE_MS).unref();
  return 0;
}
