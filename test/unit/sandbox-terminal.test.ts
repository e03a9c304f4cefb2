import { describe, expect, it } from 'vitest';
import { createSandboxActions } from '../../main/app/sandbox-actions.ts';
import { openSandboxTerminal } from '../../main/app/sandbox-terminal.ts';
import type { TerminalOpener } from '../../main/core/terminal/open-terminal.ts';
import type { TerminalCommand } from '../../main/core/terminal/terminal-launch.ts';

/** The OS terminal, recorded instead of opened (opening a real one is test/integration/open-terminal.test.ts). */
function recordingOpener(): TerminalOpener & { opened: TerminalCommand[] } {
  const opened: TerminalCommand[] = [];
  return { opened, open: async (command) => (opened.push(command), { emulator: 'xterm' }) };
}

const cli = { command: '/usr/bin/node', args: ['/app/out/main/cli.js', 'bridge'], env: { DAYTONA_TRAY_HOME: '/data' } };

/** Daytona Cloud's SSH access answer, from a typed double of the API (the local provider does not offer SSH access). */
function cloudApi(sshCommand: unknown) {
  const asked: [string, number][] = [];
  const api = {
    startSandbox: async () => {},
    stopSandbox: async () => {},
    deleteSandbox: async () => {},
    signedPreviewUrl: async () => ({}),
    createSshAccess: async (id: string, minutes: number) => {
      asked.push([id, minutes]);
      return { id: 'access-1', sandboxId: id, token: 'tok3n', sshCommand };
    },
  };
  return { asked, actions: createSandboxActions({ api, noteRequested: () => {} }) };
}

describe('Open terminal: the command handed to the terminal', () => {
  it('local provider: this install runs `shell <id>`, the provider address and key in the environment only', async () => {
    const opener = recordingOpener();
    const result = await openSandboxTerminal(
      { target: () => ({ kind: 'local', endpoint: { apiUrl: 'http://127.0.0.1:4000/api', apiKey: 'dtl_k' } }), cli, opener },
      'sbx-1',
      'web',
    );
    expect(result).toEqual({ emulator: 'xterm', via: 'shell' });
    expect(opener.opened).toEqual([
      {
        argv: ['/usr/bin/node', '/app/out/main/cli.js', 'shell', 'sbx-1'],
        env: { DAYTONA_TRAY_HOME: '/data', DAYTONA_API_URL: 'http://127.0.0.1:4000/api', DAYTONA_API_KEY: 'dtl_k' },
        title: 'Daytona sandbox web',
      },
    ]);
  });

  it('local provider not ready yet: says so, opens nothing', async () => {
    const opener = recordingOpener();
    await expect(
      openSandboxTerminal({ target: () => ({ kind: 'local', endpoint: undefined }), cli, opener }, 'sbx-1', 'web'),
    ).rejects.toThrow(/local provider is not running yet/);
    expect(opener.opened).toEqual([]);
  });

  it('Daytona Cloud: fresh SSH access, its ssh command as argv, nothing in the environment', async () => {
    const { asked, actions } = cloudApi('ssh tok3n@ssh.app.daytona.io');
    const opener = recordingOpener();
    const result = await openSandboxTerminal(
      { target: () => ({ kind: 'cloud', sshCommand: (id) => actions.sshCommand(id) }), cli, opener },
      'sbx-2',
      'api',
    );
    expect(result).toEqual({ emulator: 'xterm', via: 'ssh' });
    expect(asked).toEqual([['sbx-2', 60]]);
    expect(opener.opened).toEqual([{ argv: ['ssh', 'tok3n@ssh.app.daytona.io'], env: {}, title: 'Daytona sandbox api' }]);
  });

  it('Daytona Cloud: an answer that is not a plain ssh command is refused without echoing it (it holds the token)', async () => {
    for (const bad of ['ssh tok3n@host; rm -rf ~', 'bash -c tok3n', undefined]) {
      const { actions } = cloudApi(bad);
      const error = await actions.sshCommand('sbx-3').catch((caught: unknown) => caught as Error);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe('Daytona answered the SSH access request without a usable ssh command');
    }
  });
});
