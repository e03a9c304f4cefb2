import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import {
  DaytonaCommandAlreadyCompletedError,
  DaytonaConflictError,
  DaytonaProcessExecutionTimeoutError,
  DaytonaProcessNotFoundError,
  DaytonaSessionEndedError,
  DaytonaTimeoutError,
  DaytonaValidationError,
  type Sandbox,
} from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { missingCommandReason, skipWhen } from '../helpers/skip.ts';

/** Host pids whose command line matches `pattern` (the sandbox's processes are visible from the host pid namespace). */
function pids(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** A `sleep` whose argument is unique to this test, e.g. `sleep 300.123456`; the pattern matches that process only (not the shells that started it). */
function uniqueSleep(seconds: number) {
  const arg = `${seconds}.${randomInt(100_000, 999_999)}`;
  return { command: `sleep ${arg}`, pattern: `^sleep ${arg.replace('.', '\\.')}$` };
}

const noPgrep = missingCommandReason('pgrep', 'apt-get install procps');
const noPython = missingCommandReason('python3', 'apt-get install python3');

describe('local provider: toolbox process and sessions through the unmodified SDK', () => {
  let t: TestProvider;
  let sandbox: Sandbox;

  beforeAll(async () => {
    t = await startTestProvider();
    sandbox = await t.daytona.create({ name: 'proc', envVars: { GREETING: 'from-create', SHARED: 'sandbox' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('executeCommand', () => {
    it('returns the exit code and stdout+stderr combined', async () => {
      const ok = await sandbox.process.executeCommand('echo out; echo err >&2');
      expect(ok.exitCode).toBe(0);
      expect(ok.result).toContain('out\n');
      expect(ok.result).toContain('err\n');
      expect(ok.artifacts?.stdout).toBe(ok.result);
      const failed = await sandbox.process.executeCommand('echo nope; exit 7');
      expect(failed).toMatchObject({ exitCode: 7, result: 'nope\n' });
    });

    it('runs under bash, like the daemon (bash-only syntax works)', async () => {
      const response = await sandbox.process.executeCommand('arr=(a b c); [[ ${#arr[@]} == 3 ]] && echo "${arr[1]}"');
      expect(response).toMatchObject({ exitCode: 0, result: 'b\n' });
    });

    it('runs in the home directory by default, and in a relative or absolute cwd', async () => {
      await sandbox.fs.createFolder('work/sub', '755');
      expect((await sandbox.process.executeCommand('pwd')).result).toBe('/home/daytona\n');
      expect((await sandbox.process.executeCommand('pwd', 'work/sub')).result).toBe('/home/daytona/work/sub\n');
      expect((await sandbox.process.executeCommand('pwd', '/home/daytona/work')).result).toBe('/home/daytona/work\n');
      expect((await sandbox.process.executeCommand('pwd', '/tmp')).result).toBe('/tmp\n');
    });

    it('answers a missing cwd like the daemon: exit code -1 and a reason', async () => {
      const response = await sandbox.process.executeCommand('pwd', 'no/such/dir');
      expect(response.exitCode).toBe(-1);
      expect(response.result).toMatch(/\/home\/daytona\/no\/such\/dir does not exist/);
      // A symlink is followed as the sandbox sees it: one pointing at a host folder is not a way in.
      await sandbox.process.executeCommand('ln -sfn /root rootlink');
      expect((await sandbox.process.executeCommand('pwd', 'rootlink')).exitCode).toBe(-1);
      expect((await sandbox.process.executeCommand('pwd', '/no-such-system-dir')).exitCode).not.toBe(0);
    });

    it('passes env for the command on top of the sandbox env vars from create', async () => {
      const response = await sandbox.process.executeCommand('echo "$GREETING $SHARED $ONLY_HERE"', undefined, {
        SHARED: 'command',
        ONLY_HERE: 'yes',
      });
      expect(response.result).toBe('from-create command yes\n');
      expect((await sandbox.process.executeCommand('echo "$GREETING|$ONLY_HERE"')).result).toBe('from-create|\n');
    });

    it('refuses an invalid env name with a 400 naming the field', async () => {
      const error = await sandbox.process.executeCommand('true', undefined, { 'BAD-NAME': 'x' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DaytonaValidationError);
      expect((error as Error).message).toMatch(/envs\.BAD-NAME/);
    });

    it("runs a command too long for argv (through the shell's stdin)", async () => {
      const long = `x=${'a'.repeat(200_000)}; echo \${#x}`;
      expect(await sandbox.process.executeCommand(long)).toMatchObject({ exitCode: 0, result: '200000\n' });
    });

    it(
      'times out with DaytonaTimeoutError (408 PROCESS_EXECUTION_TIMEOUT) and kills the whole tree',
      skipWhen(noPgrep, 'pgrep'),
      async () => {
        const first = uniqueSleep(300);
        const second = uniqueSleep(301);
        const started = sandbox.process.executeCommand(`sh -c "${first.command} & ${second.command}"`, undefined, undefined, 1);
        await expect.poll(() => pids(first.pattern).length + pids(second.pattern).length, { timeout: 10_000 }).toBe(2);
        const error = await started.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DaytonaProcessExecutionTimeoutError);
        expect(error).toBeInstanceOf(DaytonaTimeoutError);
        expect(error).toMatchObject({ statusCode: 408, code: 'PROCESS_EXECUTION_TIMEOUT' });
        await expect.poll(() => [...pids(first.pattern), ...pids(second.pattern)], { timeout: 10_000 }).toEqual([]);
      },
    );

    it("kills the command's tree when the HTTP client disconnects mid-command", skipWhen(noPgrep, 'pgrep'), async () => {
      const first = uniqueSleep(302);
      const second = uniqueSleep(303);
      const controller = new AbortController();
      // Plain fetch: t.request() brings its own timeout signal.
      const request = fetch(`${sandbox.toolboxProxyUrl}/${sandbox.id}/process/execute`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.provider.apiKey}` },
        body: JSON.stringify({ command: `sh -c "${first.command} & ${second.command}"` }),
        signal: controller.signal,
      }).catch((e: unknown) => e);
      await expect.poll(() => pids(first.pattern).length + pids(second.pattern).length, { timeout: 10_000 }).toBe(2);
      controller.abort();
      expect(await request).toMatchObject({ name: 'AbortError' });
      await expect.poll(() => [...pids(first.pattern), ...pids(second.pattern)], { timeout: 10_000 }).toEqual([]);
    });
    it(
      'keeps a background job after its command returned; later commands and sessions see and can end it',
      skipWhen(noPgrep, 'pgrep'),
      async () => {
        const job = uniqueSleep(307);
        expect(await sandbox.process.executeCommand(`${job.command} > /dev/null 2>&1 &`)).toMatchObject({ exitCode: 0, result: '' });
        // The shell returns once it has forked the job, which may not have exec'd its program yet: poll for it.
        await expect.poll(() => pids(job.pattern), { timeout: 10_000 }).toHaveLength(1);
        expect((await sandbox.process.executeCommand(`pgrep -f '${job.pattern}' | wc -l`)).result.trim()).toBe('1');
        await sandbox.process.createSession('s-sees-job');
        expect(
          (await sandbox.process.executeSessionCommand('s-sees-job', { command: `pgrep -f '${job.pattern}' > /dev/null && echo seen` }))
            .stdout,
        ).toBe('seen\n');
        await sandbox.process.deleteSession('s-sees-job');
        expect(pids(job.pattern)).toHaveLength(1); // not the session's to kill
        expect(await sandbox.process.executeCommand(`pkill -f '${job.pattern}' && echo ended`)).toMatchObject({
          exitCode: 0,
          result: 'ended\n',
        });
        await expect.poll(() => pids(job.pattern), { timeout: 10_000 }).toEqual([]);
      },
    );
  });

  describe('codeRun (language from the code-toolbox-language label)', () => {
    it('runs python with argv and env', skipWhen(noPython, 'python3'), async () => {
      const py = await t.daytona.create({ name: 'code-python', language: 'python', envVars: { FROM_CREATE: 'c' } });
      const response = await py.process.codeRun(
        'import os, sys\nprint(sys.argv[1:], os.environ["WHO"], os.environ["FROM_CREATE"])\nsys.stderr.write("warn\\n")',
        {
          argv: ['a b', 'c'],
          env: { WHO: 'py' },
        },
      );
      expect(response.exitCode).toBe(0);
      expect(response.result).toContain("['a b', 'c'] py c\n");
      expect(response.result).toContain('warn\n');
      const failing = await py.process.codeRun('raise SystemExit(3)');
      expect(failing.exitCode).toBe(3);
    });

    it('runs javascript (CommonJS or ES modules) with argv starting at process.argv[1], like the daemon', async () => {
      const js = await t.daytona.create({ name: 'code-js', language: 'javascript' });
      const cjs = await js.process.codeRun(
        'const os = require("node:os"); console.log(JSON.stringify(process.argv.slice(1)), process.env.WHO, typeof os.tmpdir)',
        {
          argv: ['one', 'two'],
          env: { WHO: 'js' },
        },
      );
      expect(cjs).toMatchObject({ exitCode: 0, result: '["one","two"] js function\n' });
      const esm = await js.process.codeRun('import { join } from "node:path";\nconsole.log(join("a", "b"));\nawait Promise.resolve();');
      expect(esm).toMatchObject({ exitCode: 0, result: 'a/b\n' });
      expect((await js.process.codeRun('process.exit(4)')).exitCode).toBe(4);
    });

    it('runs typescript, including syntax that needs transforming (enum)', async () => {
      const ts = await t.daytona.create({ name: 'code-ts', language: 'typescript' });
      const response = await ts.process.codeRun(
        'enum Color { Red = 1, Blue = 2 }\nconst pick: number = Color.Blue;\nconsole.log(pick, process.argv[1], process.env.WHO);',
        {
          argv: ['arg1'],
          env: { WHO: 'ts' },
        },
      );
      expect(response).toMatchObject({ exitCode: 0, result: '2 arg1 ts\n' });
    });

    it('times out code too, with the typed timeout error', async () => {
      const js = await t.daytona.get('code-js');
      await expect(js.process.codeRun('setTimeout(() => {}, 60_000)', undefined, 1)).rejects.toBeInstanceOf(
        DaytonaProcessExecutionTimeoutError,
      );
    });
  });

  describe('sessions', () => {
    it('creates, gets, lists and deletes sessions; a duplicate id is a 409 and an unknown one a 404', async () => {
      await sandbox.process.createSession('s-basic');
      expect(await sandbox.process.getSession('s-basic')).toEqual({ sessionId: 's-basic', commands: [] });
      await expect(sandbox.process.createSession('s-basic')).rejects.toMatchObject({ statusCode: 409 });
      await expect(sandbox.process.createSession('s-basic')).rejects.toBeInstanceOf(DaytonaConflictError);
      expect((await sandbox.process.listSessions()).map((s) => s.sessionId)).toContain('s-basic');
      await sandbox.process.deleteSession('s-basic');
      expect((await sandbox.process.listSessions()).map((s) => s.sessionId)).not.toContain('s-basic');
      const missing = await sandbox.process.getSession('s-basic').catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(DaytonaProcessNotFoundError);
      expect(missing).toMatchObject({ statusCode: 404 });
      await expect(sandbox.process.executeSessionCommand('never-created', { command: 'true' })).rejects.toMatchObject({ statusCode: 404 });
      await expect(sandbox.process.deleteSession('never-created')).rejects.toMatchObject({ statusCode: 404 });
    });

    it("keeps a session created while the sandbox's last other session is being deleted", async () => {
      // An MCP server frees a finished command's session while it starts the next command in a new one.
      for (let round = 0; round < 5; round++) {
        await sandbox.process.createSession(`race-a-${round}`);
        await Promise.all([sandbox.process.createSession(`race-b-${round}`), sandbox.process.deleteSession(`race-a-${round}`)]);
        const run = await sandbox.process.executeSessionCommand(`race-b-${round}`, { command: 'echo kept' });
        expect(run.output).toContain('kept');
        await sandbox.process.deleteSession(`race-b-${round}`);
      }
    });

    it('runs sync commands that keep state (cd, export) and returns exitCode, stdout and stderr', async () => {
      await sandbox.process.createSession('s-state');
      await sandbox.fs.createFolder('state-dir', '755');
      const cd = await sandbox.process.executeSessionCommand('s-state', { command: 'cd state-dir && export FOO=bar' });
      expect(cd.exitCode).toBe(0);
      const result = await sandbox.process.executeSessionCommand('s-state', {
        command: 'pwd; echo "foo=$FOO greeting=$GREETING"; echo oops >&2; false',
      });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('/home/daytona/state-dir\nfoo=bar greeting=from-create\n');
      expect(result.stderr).toBe('oops\n');
      expect(result.output).toContain('oops');
      expect(result.cmdId).toBeTruthy();
      const session = await sandbox.process.getSession('s-state');
      expect(session.commands.map((c) => c.exitCode)).toEqual([0, 1]);
    });

    it('survives a syntax error in one command, and gives sync commands an empty stdin', async () => {
      await sandbox.process.createSession('s-robust');
      const broken = await sandbox.process.executeSessionCommand('s-robust', { command: 'echo "unterminated' });
      expect(broken.exitCode).not.toBe(0);
      expect(broken.stderr).toMatch(/unexpected EOF/);
      const read = await sandbox.process.executeSessionCommand('s-robust', { command: 'cat; echo done' });
      expect(read).toMatchObject({ exitCode: 0, stdout: 'done\n' });
    });

    it('runs async commands: getSessionCommand, JSON logs, and streamed logs with onStdout/onStderr', async () => {
      await sandbox.process.createSession('s-async');
      const started = await sandbox.process.executeSessionCommand('s-async', {
        command: 'for i in 1 2 3; do echo "out $i"; echo "err $i" >&2; sleep 0.2; done; exit 3',
        runAsync: true,
      });
      expect(started.cmdId).toBeTruthy();
      expect(started.exitCode).toBeUndefined();
      const running = await sandbox.process.getSessionCommand('s-async', started.cmdId);
      expect(running).toMatchObject({ id: started.cmdId, command: expect.stringContaining('for i in') });
      const stdout: string[] = [];
      const stderr: string[] = [];
      await sandbox.process.getSessionCommandLogs(
        's-async',
        started.cmdId,
        (chunk) => stdout.push(chunk),
        (chunk) => stderr.push(chunk),
      );
      expect(stdout.join('')).toBe('out 1\nout 2\nout 3\n');
      expect(stderr.join('')).toBe('err 1\nerr 2\nerr 3\n');
      await expect.poll(async () => (await sandbox.process.getSessionCommand('s-async', started.cmdId)).exitCode).toBe(3);
      const logs = await sandbox.process.getSessionCommandLogs('s-async', started.cmdId);
      expect(logs).toMatchObject({ stdout: 'out 1\nout 2\nout 3\n', stderr: 'err 1\nerr 2\nerr 3\n' });
      expect(logs.output).toContain('out 3');
      // A finished command's stream replays its output and closes.
      const replay: string[] = [];
      await sandbox.process.getSessionCommandLogs(
        's-async',
        started.cmdId,
        (chunk) => replay.push(chunk),
        () => {},
      );
      expect(replay.join('')).toBe('out 1\nout 2\nout 3\n');
    });

    it('refuses a log stream without the API key (401) or for an unknown command (404)', async () => {
      await sandbox.process.createSession('s-ws');
      const { cmdId } = await sandbox.process.executeSessionCommand('s-ws', { command: 'echo hi' });
      const base = `${sandbox.toolboxProxyUrl.replace(/^http/, 'ws')}/${sandbox.id}/process/session/s-ws/command`;
      const status = (url: string, headers: Record<string, string>) =>
        new Promise<number>((resolve, reject) => {
          const ws = new WebSocket(url, { headers });
          ws.once('unexpected-response', (_req, res) => {
            resolve(res.statusCode ?? 0);
            ws.terminate();
          });
          ws.once('open', () => {
            ws.close();
            resolve(101);
          });
          ws.once('error', (error) => {
            if (!String(error.message).includes('Unexpected server response')) reject(error);
          });
        });
      const auth = { authorization: `Bearer ${t.provider.apiKey}` };
      expect(await status(`${base}/${cmdId}/logs?follow=true`, {})).toBe(401);
      expect(await status(`${base}/${cmdId}/logs?follow=true`, { authorization: 'Bearer wrong' })).toBe(401);
      expect(await status(`${base}/no-such-command/logs?follow=true`, auth)).toBe(404);
      expect(await status(`${base}/${cmdId}/logs?follow=true`, auth)).toBe(101);
    });

    it('feeds input to an async command that reads stdin, and refuses input once it completed', async () => {
      await sandbox.process.createSession('s-input');
      const { cmdId } = await sandbox.process.executeSessionCommand('s-input', {
        command: 'read -r name; echo "hello $name"; read -r second; echo "then $second"',
        runAsync: true,
      });
      await sandbox.process.sendSessionCommandInput('s-input', cmdId, 'alice');
      await expect.poll(async () => (await sandbox.process.getSessionCommandLogs('s-input', cmdId)).stdout).toContain('hello alice');
      await sandbox.process.sendSessionCommandInput('s-input', cmdId, 'bob\n');
      await expect.poll(async () => (await sandbox.process.getSessionCommand('s-input', cmdId)).exitCode).toBe(0);
      // Like the daemon, the input is echoed into stdout.
      expect((await sandbox.process.getSessionCommandLogs('s-input', cmdId)).stdout).toBe('alice\nhello alice\nbob\nthen bob\n');
      const late = await sandbox.process.sendSessionCommandInput('s-input', cmdId, 'late').catch((e: unknown) => e);
      expect(late).toBeInstanceOf(DaytonaCommandAlreadyCompletedError);
      expect(late).toMatchObject({ statusCode: 410 });
      // The session still works, and leftover input never ran as a command.
      expect((await sandbox.process.executeSessionCommand('s-input', { command: 'echo next' })).stdout).toBe('next\n');
    });

    it('does not echo input when suppressInputEcho is set, and refuses input to a sync command', async () => {
      await sandbox.process.createSession('s-quiet');
      const { cmdId } = await sandbox.process.executeSessionCommand('s-quiet', {
        command: 'read -r secret; echo "${#secret} chars"',
        runAsync: true,
        suppressInputEcho: true,
      });
      await sandbox.process.sendSessionCommandInput('s-quiet', cmdId, 'hunter2');
      await expect.poll(async () => (await sandbox.process.getSessionCommand('s-quiet', cmdId)).exitCode).toBe(0);
      expect((await sandbox.process.getSessionCommandLogs('s-quiet', cmdId)).stdout).toBe('7 chars\n');
      const sync = sandbox.process.executeSessionCommand('s-quiet', { command: 'sleep 1' });
      await expect.poll(async () => (await sandbox.process.getSession('s-quiet')).commands.length).toBe(2);
      const running = (await sandbox.process.getSession('s-quiet')).commands[1]!;
      await expect(sandbox.process.sendSessionCommandInput('s-quiet', running.id, 'x')).rejects.toMatchObject({ statusCode: 409 });
      expect((await sync).exitCode).toBe(0);
    });

    it('does not let a command reading stdin swallow the next queued command', async () => {
      await sandbox.process.createSession('s-queue');
      const reader = await sandbox.process.executeSessionCommand('s-queue', {
        command: 'read -r line; echo "got [$line]"',
        runAsync: true,
      });
      const queued = await sandbox.process.executeSessionCommand('s-queue', { command: 'echo queued-ran', runAsync: true });
      await sandbox.process.sendSessionCommandInput('s-queue', reader.cmdId, 'typed');
      await expect.poll(async () => (await sandbox.process.getSessionCommand('s-queue', queued.cmdId)).exitCode).toBe(0);
      expect((await sandbox.process.getSessionCommandLogs('s-queue', reader.cmdId)).stdout).toBe('typed\ngot [typed]\n');
      expect((await sandbox.process.getSessionCommandLogs('s-queue', queued.cmdId)).stdout).toBe('queued-ran\n');
    });

    it('has an empty entrypoint session (local sandboxes have no image entrypoint)', async () => {
      expect(await sandbox.process.getEntrypointSession()).toEqual({ sessionId: 'entrypoint', commands: [] });
      expect(await sandbox.process.getEntrypointLogs()).toEqual({ output: '', stdout: '', stderr: '' });
      const chunks: string[] = [];
      await sandbox.process.getEntrypointLogs(
        (chunk) => chunks.push(chunk),
        (chunk) => chunks.push(chunk),
      );
      expect(chunks.join('')).toBe('');
    });

    it('reports SESSION_ENDED (410) after a command exits the shell', async () => {
      await sandbox.process.createSession('s-exit');
      const bye = await sandbox.process.executeSessionCommand('s-exit', { command: 'echo bye; exit 5' });
      expect(bye).toMatchObject({ exitCode: 5, stdout: 'bye\n' });
      await expect(sandbox.process.executeSessionCommand('s-exit', { command: 'true' })).rejects.toBeInstanceOf(DaytonaSessionEndedError);
      await sandbox.process.deleteSession('s-exit');
    });

    it("kills a session's processes when it is deleted", skipWhen(noPgrep, 'pgrep'), async () => {
      const sleeper = uniqueSleep(304);
      await sandbox.process.createSession('s-kill');
      await sandbox.process.executeSessionCommand('s-kill', { command: `${sleeper.command} &` });
      const blocking = await sandbox.process.executeSessionCommand('s-kill', { command: uniqueSleep(305).command, runAsync: true });
      await expect.poll(() => pids(sleeper.pattern).length, { timeout: 10_000 }).toBe(1);
      await sandbox.process.deleteSession('s-kill');
      await expect.poll(() => pids(sleeper.pattern), { timeout: 10_000 }).toEqual([]);
      expect(blocking.cmdId).toBeTruthy();
    });

    it('stopping the sandbox kills session processes and forgets its sessions', skipWhen(noPgrep, 'pgrep'), async () => {
      const other = await t.daytona.create({ name: 'proc-stop' });
      const sleeper = uniqueSleep(306);
      await other.process.createSession('s-stop');
      await other.process.executeSessionCommand('s-stop', { command: `${sleeper.command} &` });
      await expect.poll(() => pids(sleeper.pattern).length, { timeout: 10_000 }).toBe(1);
      await other.stop();
      await expect.poll(() => pids(sleeper.pattern), { timeout: 10_000 }).toEqual([]);
      await other.start();
      expect(await other.process.listSessions()).toEqual([]);
    });
  });
});
