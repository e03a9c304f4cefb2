import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonShell } from '../../main/local/toolbox/daemon-shell.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';

// executeCommand as Daytona's daemon runs it (apps/daemon/pkg/toolbox/process/execute.go, v0.190.0): the command is
// the shell's stdin, not its -c argument, so a command that works locally works on Daytona.
describe('local provider: executeCommand runs commands as the daemon does, through the unmodified SDK', () => {
  let t: TestProvider;

  beforeAll(async () => {
    t = await startTestProvider();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('feeds the command to the shell on stdin: a read takes the next line of the command itself', async () => {
    const sandbox = await t.daytona.create({ name: 'exec-stdin' });
    // Under `bash -c` the read would find no input and the next line would run as a command.
    const result = await sandbox.process.executeCommand('read line\nthis-line-is-read-not-run\necho "got:$line"');
    expect(result).toMatchObject({ exitCode: 0, result: 'got:this-line-is-read-not-run\n' });
  });

  it('runs the shell the daemon would pick, non-interactive, with the request env and stderr in the result', async () => {
    const sandbox = await t.daytona.create({ name: 'exec-shell' });
    const shell = await sandbox.process.executeCommand('echo "$0"');
    expect(shell.result.trim().split('/').pop()).toBe(daemonShell().split('/').pop());
    const flags = await sandbox.process.executeCommand(
      'case $- in *i*) echo interactive;; *) echo batch;; esac; echo "$GREETING" >&2',
      undefined,
      {
        GREETING: 'hello',
      },
    );
    expect(flags).toMatchObject({ exitCode: 0, result: 'batch\nhello\n' });
  });
});
