import { describe, expect, it } from 'vitest';
import { bridgeLaunchForThisProcess, looksLikeOurBridge, resolveBridgeLaunch } from '../../main/core/clients/bridge-launch.ts';

describe('bridge launch resolver', () => {
  it('runs the built CLI with node directly in a checkout (no env, no PATH lookup)', () => {
    expect(
      resolveBridgeLaunch({ execPath: '/opt/node/bin/node', electron: false, cliScript: '/src/daytona-tray/out/main/cli.js' }),
    ).toEqual({
      command: '/opt/node/bin/node',
      args: ['/src/daytona-tray/out/main/cli.js', 'bridge'],
      env: {},
    });
  });

  it('runs the packaged app binary as Node with ELECTRON_RUN_AS_NODE=1 and the script unpacked beside app.asar', () => {
    const launch = resolveBridgeLaunch({
      execPath: '/Applications/Daytona Tray.app/Contents/MacOS/Daytona Tray',
      electron: true,
      cliScript: '/Applications/Daytona Tray.app/Contents/Resources/app.asar.unpacked/out/main/cli.js',
    });
    expect(launch).toEqual({
      command: '/Applications/Daytona Tray.app/Contents/MacOS/Daytona Tray',
      args: ['/Applications/Daytona Tray.app/Contents/Resources/app.asar.unpacked/out/main/cli.js', 'bridge'],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
  });

  it('accepts Windows absolute paths and carries a DAYTONA_TRAY_HOME override (never a secret)', () => {
    const launch = resolveBridgeLaunch({
      execPath: 'C:\\Users\\me\\AppData\\Local\\Programs\\daytona-tray\\Daytona Tray.exe',
      electron: true,
      cliScript: 'C:\\Users\\me\\AppData\\Local\\Programs\\daytona-tray\\resources\\app.asar\\out\\main\\cli.js',
      dataDirOverride: 'D:\\portable\\state',
    });
    expect(launch.env).toEqual({ ELECTRON_RUN_AS_NODE: '1', DAYTONA_TRAY_HOME: 'D:\\portable\\state' });
  });

  it('refuses relative paths: a client started from the Dock has no PATH or working directory to resolve them', () => {
    expect(() => resolveBridgeLaunch({ execPath: 'node', electron: false, cliScript: '/x/out/main/cli.js' })).toThrow(
      /execPath must be an absolute path/,
    );
    expect(() => resolveBridgeLaunch({ execPath: '/usr/bin/node', electron: false, cliScript: 'out/main/cli.js' })).toThrow(
      /cliScript must be an absolute path/,
    );
  });

  it('for this process: node (tests run under plain Node) plus the given script, DAYTONA_TRAY_HOME from the env only', () => {
    const launch = bridgeLaunchForThisProcess('/repo/out/main/cli.js', { DAYTONA_TRAY_HOME: '/state', DAYTONA_API_KEY: 'dtn_secret' });
    expect(launch).toEqual({ command: process.execPath, args: ['/repo/out/main/cli.js', 'bridge'], env: { DAYTONA_TRAY_HOME: '/state' } });
    expect(JSON.stringify(launch)).not.toContain('dtn_secret');
  });

  it('recognises our bridge entry from any install (POSIX or Windows paths) and nothing else', () => {
    expect(looksLikeOurBridge(['/old/place/out/main/cli.js', 'bridge'])).toBe(true);
    expect(looksLikeOurBridge(['C:\\Program Files\\Daytona Tray\\resources\\app.asar\\out\\main\\cli.js', 'bridge'])).toBe(true);
    expect(looksLikeOurBridge(['mcp', 'start'])).toBe(false); // `daytona mcp init` writes this
    expect(looksLikeOurBridge(['/x/cli.js', 'bridge'])).toBe(false);
    expect(looksLikeOurBridge(['/x/out/main/cli.js', 'mcp'])).toBe(false);
    expect(looksLikeOurBridge(['bridge'])).toBe(false);
    expect(looksLikeOurBridge([42, 'bridge'])).toBe(false);
  });
});
