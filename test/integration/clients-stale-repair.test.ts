import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entriesAtStart, repairStaleEntries } from '../../main/app/client-repair.ts';
import { toClientView } from '../../main/app/contract-views.ts';
import type { NotificationSpec } from '../../main/app/notification-view.ts';
import { resolveBridgeLaunch } from '../../main/core/clients/bridge-launch.ts';
import type { Host } from '../../main/core/clients/host.ts';
import { createClients } from '../../main/core/clients/registry.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * The start-up repair against real config files in a temp HOME: entries of ours written by an AppImage run (its
 * mount is gone) or by a version that ran the CLI from inside app.asar are rewritten to this install's launch;
 * every other byte of the files stays, and entries that still work or are not ours are not touched.
 */
const MOUNT = '/tmp/.mount_DaytonQ9x8Zw';
const OLD_EXE = `${MOUNT}/daytona-tray`;
const OLD_CLI = `${MOUNT}/resources/app.asar/out/main/cli.js`;

let dir: Awaited<ReturnType<typeof tempDir>>;
let home: string;
let host: Host;
let exe: string;
let cli: string;

async function put(file: string, text: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  await chmod(file, mode);
}

beforeEach(async () => {
  dir = await tempDir('daytona-tray-stale-repair-');
  home = join(dir.path, 'home');
  host = { platform: 'linux', home, env: { PATH: join(home, 'bin') } };
  // This install (a deb's layout): the executable, and the CLI unpacked beside app.asar.
  exe = join(dir.path, 'opt', 'Daytona Tray', 'daytona-tray');
  cli = join(dir.path, 'opt', 'Daytona Tray', 'resources', 'app.asar.unpacked', 'out', 'main', 'cli.js');
  await put(exe, '#!/bin/sh\n', 0o755);
  await put(cli, '// cli\n');
});
afterEach(() => dir.cleanup());

// Our entries as setup wrote them (the writer's layout), then edited by the user (an env var of theirs); the other
// servers in the user's own layout.
const claudeJson = (command: string, script: string) => `{
  "globalShortcut": "Ctrl+Space",
  "mcpServers": {
    "filesystem": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/me"] },
    "daytona": {
      "command": ${JSON.stringify(command)},
      "args": [
        ${JSON.stringify(script)},
        "bridge",
        "--tools",
        "sandbox,files"
      ],
      "env": {
        "HTTPS_PROXY": "http://proxy.corp:3128",
        "ELECTRON_RUN_AS_NODE": "1"
      }
    },
    "memory": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-memory"]
    }
  }
}
`;

const codexToml = (command: string, script: string) => `# Codex settings (the user's comment stays)
model = "gpt-5-codex"

[mcp_servers.github]
command = "github-mcp"   # trailing comment
args = ["stdio"]

[mcp_servers.daytona]
command = ${JSON.stringify(command)}
args = [ ${JSON.stringify(script)}, "bridge" ]
env = { ELECTRON_RUN_AS_NODE = "1" }

[tui]
notifications = true
`;

it('rewrites stale entries of ours in Claude Desktop JSON and Codex TOML, byte for byte elsewhere, and says so once', async () => {
  const claudeFile = join(home, '.config', 'Claude', 'claude_desktop_config.json');
  const codexFile = join(home, '.codex', 'config.toml');
  await put(claudeFile, claudeJson(OLD_EXE, OLD_CLI));
  await put(codexFile, codexToml(OLD_EXE, OLD_CLI));
  // Not ours (Cursor), and ours but working (Windsurf, another install that is still there): left alone.
  const cursorFile = join(home, '.cursor', 'mcp.json');
  const cursorText = '{\n  "mcpServers": { "daytona": { "command": "npx", "args": ["-y", "@daytonaio/mcp"] } }\n}\n';
  await put(cursorFile, cursorText);
  const windsurfFile = join(home, '.codeium', 'windsurf', 'mcp_config.json');
  const windsurfText = `{"mcpServers":{"daytona":{"command":${JSON.stringify(exe)},"args":[${JSON.stringify(cli)},"bridge"],"env":{"ELECTRON_RUN_AS_NODE":"1","X":"y"}}}}\n`;
  await put(windsurfFile, windsurfText);

  const launch = resolveBridgeLaunch({ execPath: exe, electron: true, cliScript: cli });
  const notified: NotificationSpec[] = [];
  const lines: string[] = [];
  const deps = {
    clients: createClients({ host, launch }),
    desktop: { notify: (spec: NotificationSpec) => void notified.push(spec) },
    log: (line: string) => void lines.push(line),
  };

  const result = await repairStaleEntries(deps);

  expect(result.failed).toEqual([]);
  expect(result.repaired.map((entry) => [entry.id, entry.reason])).toEqual([
    ['claude-desktop', 'appimage-mount'],
    ['codex', 'appimage-mount'],
  ]);
  // Only our entry's command and script changed (its tool groups and the user's env var kept): every other byte stays.
  expect(await readFile(claudeFile, 'utf8')).toBe(claudeJson(exe, cli));
  expect(await readFile(codexFile, 'utf8')).toBe(codexToml(exe, cli));
  expect(await readFile(cursorFile, 'utf8')).toBe(cursorText);
  expect(await readFile(windsurfFile, 'utf8')).toBe(windsurfText);
  expect(lines.filter((line) => line.startsWith('repaired '))).toEqual([
    "repaired Claude Desktop's Daytona entry: it pointed inside the AppImage's temporary mount",
    "repaired Codex CLI's Daytona entry: it pointed inside the AppImage's temporary mount",
  ]);
  expect(notified).toHaveLength(1);
  expect(notified[0]).toMatchObject({ view: 'clients', click: { type: 'open-window', target: { view: 'clients' } } });
  expect(notified[0]!.body).toContain('Claude Desktop, Codex CLI');

  // The next start finds nothing to do, and says nothing.
  const again = await repairStaleEntries(deps);
  expect(again.repaired).toEqual([]);
  expect(notified).toHaveLength(1);
});

it('repairs an entry that ran the CLI from inside app.asar (an update), and one whose app moved away', async () => {
  const gone = join(dir.path, 'Downloads', 'Daytona Tray', 'daytona-tray');
  const claudeFile = join(home, '.config', 'Claude', 'claude_desktop_config.json');
  const codexFile = join(home, '.codex', 'config.toml');
  await put(claudeFile, claudeJson(exe, cli.replace('app.asar.unpacked', 'app.asar')));
  await put(codexFile, codexToml(gone, join(dirname(gone), 'resources', 'app.asar.unpacked', 'out', 'main', 'cli.js')));
  const launch = resolveBridgeLaunch({ execPath: exe, electron: true, cliScript: cli });
  const result = await repairStaleEntries({ clients: createClients({ host, launch }), desktop: { notify: () => {} }, log: () => {} });
  expect(result.repaired.map((entry) => [entry.id, entry.reason])).toEqual([
    ['claude-desktop', 'in-archive'],
    ['codex', 'missing'],
  ]);
  expect(await readFile(claudeFile, 'utf8')).toBe(claudeJson(exe, cli));
  expect(await readFile(codexFile, 'utf8')).toBe(codexToml(exe, cli));
});

it('a run that cannot write lasting entries (translocated) leaves stale ones as they are and says what to do', async () => {
  const claudeFile = join(home, '.config', 'Claude', 'claude_desktop_config.json');
  await put(claudeFile, claudeJson(OLD_EXE, OLD_CLI));
  const lines: string[] = [];
  const result = await repairStaleEntries({
    clients: createClients({ host, launch: resolveBridgeLaunch({ execPath: exe, electron: true, cliScript: cli }) }),
    desktop: { notify: () => expect.unreachable('no notification') },
    log: (line) => void lines.push(line),
    cannotRepair: 'move it to the Applications folder and start it from there.',
  });
  expect(result.repaired).toEqual([]);
  expect(await readFile(claudeFile, 'utf8')).toBe(claudeJson(OLD_EXE, OLD_CLI));
  // The window's clients view says so on that client's row.
  const client = createClients({ host, launch: resolveBridgeLaunch({ execPath: exe, electron: true, cliScript: cli }) })['claude-desktop'];
  expect(toClientView(await client.status(), client.applyHint).problem).toBe(
    "This connection will stop working: it pointed inside the AppImage's temporary mount. Daytona Tray repairs it when it starts from where it is installed; or connect again.",
  );
  expect(lines).toEqual([
    '1 AI client entry will not keep working, left as they are: move it to the Applications folder and start it from there.',
  ]);
});

describe('at start', () => {
  const stale = () => put(join(home, '.config', 'Claude', 'claude_desktop_config.json'), claudeJson(OLD_EXE, OLD_CLI));
  const deps = (folder: { isIn: boolean; answer: 'moved' | 'declined' | 'failed' } | undefined, order: string[]) => ({
    clients: createClients({ host, launch: resolveBridgeLaunch({ execPath: exe, electron: true, cliScript: cli }) }),
    desktop: {
      notify: () => void order.push('notify'),
      ...(folder
        ? {
            applicationsFolder: {
              isIn: () => folder.isIn,
              offerMove: async () => (order.push('offer'), folder.answer),
            },
          }
        : {}),
    },
    log: () => {},
    prepare: async () => void order.push('prepare'),
  });

  it('macOS outside Applications: offers the move first; once moved, the relaunched app repairs (this run changes nothing)', async () => {
    await stale();
    const order: string[] = [];
    expect(await entriesAtStart(deps({ isIn: false, answer: 'moved' }, order))).toBe('moved');
    expect(order).toEqual(['offer']);
    expect(await readFile(join(home, '.config', 'Claude', 'claude_desktop_config.json'), 'utf8')).toBe(claudeJson(OLD_EXE, OLD_CLI));
  });

  it('declined, in Applications already, or elsewhere than macOS: the launcher is put in place, then entries repaired', async () => {
    for (const folder of [{ isIn: false, answer: 'declined' as const }, { isIn: true, answer: 'failed' as const }, undefined]) {
      await stale();
      const order: string[] = [];
      const result = await entriesAtStart(deps(folder, order));
      expect(result === 'moved' ? [] : result.repaired.map((entry) => entry.id)).toEqual(['claude-desktop']);
      expect(order).toEqual([...(folder && !folder.isIn ? ['offer'] : []), 'prepare', 'notify']);
      expect(await readFile(join(home, '.config', 'Claude', 'claude_desktop_config.json'), 'utf8')).toBe(claudeJson(exe, cli));
    }
  });
});
