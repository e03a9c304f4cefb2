import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { latestLines } from '../../main/mcp/call-context.ts';
import { cloneCommand, cloneCredentials, cloneFailure, shellQuote } from '../../main/mcp/clone-command.ts';
import { killMarkedScript, RUN_MARK } from '../../main/mcp/tools/code-run.ts';

describe('the git_clone command', () => {
  it('quotes every argument as one shell word: a URL or path with quotes, spaces or $ stays what it was', () => {
    const tricky = `it's $HOME and $(touch x) "here"`;
    expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(tricky)}`], { encoding: 'utf8' })).toBe(tricky);
    const command = cloneCommand({ url: `https://example.com/${tricky}.git`, path: tricky, branch: 'dev', depth: 2 }, false);
    expect(command).toContain(`'--branch' 'dev' '--depth' '2' '--' 'https://example.com/it'\\''s`);
    expect(command).not.toContain('read -r');
  });

  it('with credentials reads them from stdin and names only variables in the command', () => {
    const command = cloneCommand({ url: 'https://example.com/r.git', path: 'r', commitId: 'abc123' }, true);
    expect(command).toMatch(/IFS= read -r DAYTONA_TRAY_GIT_USERNAME/);
    expect(command).toMatch(/credential\.helper=!f\(\)/);
    // The checkout runs without them.
    expect(command.indexOf('unset DAYTONA_TRAY_GIT_USERNAME')).toBeLessThan(command.indexOf("'checkout'"));
  });

  it('takes both credentials or neither, each on one line', () => {
    expect(cloneCredentials({})).toBeUndefined();
    expect(cloneCredentials({ username: 'u', password: 'p' })).toEqual({ username: 'u', password: 'p' });
    expect(() => cloneCredentials({ password: 'p' })).toThrow(/both username and password/);
    expect(() => cloneCredentials({ username: 'u', password: 'p\nq' })).toThrow(/single line/);
  });

  it("describes git's failures with what to do, without the token", () => {
    const auth = cloneFailure('clone x', 128, "Cloning into 'r'...\nfatal: Authentication failed for 'https://h/r.git/' tok_secret\n", [
      'tok_secret',
    ]);
    expect(auth.message).toMatch(/refused the credentials/);
    expect(auth.message).not.toContain('tok_secret');
    expect(cloneFailure('clone x', 128, "fatal: repository 'https://h/none/' not found\n", []).kind).toBe('not-found');
    expect(cloneFailure('clone x', 128, 'fatal: Remote branch nope not found in upstream origin\n', []).message).toMatch(/branch name/);
    expect(cloneFailure('clone x', 128, "fatal: destination path 'r' already exists and is not an empty directory.\n", []).kind).toBe(
      'conflict',
    );
    expect(cloneFailure('clone x', 128, 'fatal: unable to access: Could not resolve host: github.com\n', []).message).toMatch(/network/);
    // Progress meters are left out of the message.
    const other = cloneFailure('clone x', 1, 'Receiving objects:  10% (1/10)\rReceiving objects: 20% (2/10)\nerror: something odd\n', []);
    expect(other.message).toBe('Could not clone x: git exited with code 1 (error: something odd).');
  });
});

describe('progress messages', () => {
  it('show what a terminal would: a carriage return rewrites its line', () => {
    expect(latestLines('Cloning into r...\nReceiving objects:  10% (1/10)\rReceiving objects:  50% (5/10)\r')).toBe(
      'Cloning into r...\nReceiving objects:  50% (5/10)',
    );
    expect(latestLines('a\r\nb\r\nc\r\nd\r\n')).toBe('b\nc\nd');
    expect(latestLines('\n  \n')).toBeUndefined();
  });
});

describe("code_run's stop script", () => {
  it('kills the processes that carry its mark, and only those', async () => {
    const mark = `m${process.pid}${Date.now()}`;
    const marked = spawn('sh', ['-c', 'sleep 30 & wait'], { env: { ...process.env, [RUN_MARK]: mark } });
    const other = spawn('sleep', ['30'], { env: { ...process.env, [RUN_MARK]: `${mark}-other` } });
    try {
      const ended = new Promise<string | null>((resolve) => marked.once('exit', (_code, signal) => resolve(signal)));
      execFileSync('sh', ['-c', killMarkedScript(mark)]);
      expect(await ended).toBe('SIGKILL');
      expect(other.exitCode === null && other.signalCode === null).toBe(true);
    } finally {
      marked.kill('SIGKILL');
      other.kill('SIGKILL');
    }
  });
});
