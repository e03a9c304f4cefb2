import { DaytonaError, DaytonaTimeoutError, type ExecutionError, type Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { bubblewrapSkipReason, missingCommandReason, skipWhen } from '../helpers/skip.ts';

const noPython = missingCommandReason('python3', 'apt-get install python3');

// sandbox.codeInterpreter through the unmodified SDK: a resident Python per context, spoken to over Daytona's
// WebSocket protocol.
describe('local provider: the stateful code interpreter', skipWhen(noPython, 'python3'), () => {
  let t: TestProvider;
  let sandbox: Sandbox;

  beforeAll(async () => {
    t = await startTestProvider();
    sandbox = await t.daytona.create({ name: 'interpreter', envVars: { FROM_CREATE: 'created' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('keeps state between calls in a context and streams stdout and stderr to the callbacks as it runs', async () => {
    const context = await sandbox.codeInterpreter.createContext();
    expect(context).toMatchObject({ cwd: '/home/daytona', language: 'python', active: true });

    const first = await sandbox.codeInterpreter.runCode('counter = 41\nprint("set")', { context });
    expect(first).toEqual({ stdout: 'set\n', stderr: '' });

    const events: string[] = [];
    const second = await sandbox.codeInterpreter.runCode(
      [
        'import os, sys, time',
        'counter += 1',
        'print("counter", counter)',
        'sys.stderr.write("warned\\n")',
        'os.system("echo from a child process")',
        'print(os.environ["FROM_CREATE"], os.environ["PER_CALL"])',
      ].join('\n'),
      {
        context,
        envs: { PER_CALL: 'per-call' },
        onStdout: (message) => void events.push(`out:${message.output}`),
        onStderr: (message) => void events.push(`err:${message.output}`),
      },
    );
    expect(second.error).toBeUndefined();
    expect(second.stdout).toBe('counter 42\nfrom a child process\ncreated per-call\n');
    expect(second.stderr).toBe('warned\n');
    expect(events.join('')).toContain('out:counter 42\n');
    expect(events).toContain('err:warned\n');

    // The per-call variable was for that call only; another context has state of its own.
    expect((await sandbox.codeInterpreter.runCode('import os\nprint(os.environ.get("PER_CALL"))', { context })).stdout).toBe('None\n');
    const other = await sandbox.codeInterpreter.createContext();
    const missing = await sandbox.codeInterpreter.runCode('print(counter)', { context: other });
    expect(missing.error).toMatchObject({ name: 'NameError', value: "name 'counter' is not defined" });

    const listed = await sandbox.codeInterpreter.listContexts();
    expect(listed.map((c) => c.id).sort()).toEqual([context.id, other.id].sort());
    await sandbox.codeInterpreter.deleteContext(other);
    expect((await sandbox.codeInterpreter.listContexts()).map((c) => c.id)).toEqual([context.id]);
    await expect(sandbox.codeInterpreter.runCode('print(1)', { context: other })).rejects.toThrow(/context not found/);
  });

  it('reports an exception with its name, value and a traceback of the user code', async () => {
    const errors: ExecutionError[] = [];
    const result = await sandbox.codeInterpreter.runCode('def divide(a):\n    return a / 0\n\nprint("before")\ndivide(1)', {
      onError: (error) => void errors.push(error),
    });
    expect(result.stdout).toBe('before\n');
    expect(result.error).toMatchObject({ name: 'ZeroDivisionError', value: 'division by zero' });
    expect(result.error?.traceback).toContain('line 5, in <module>');
    expect(result.error?.traceback).toContain('return a / 0');
    expect(errors).toEqual([result.error]);
  });

  it('runs a context in the directory it was created with', async () => {
    await sandbox.fs.createFolder('/home/daytona/project', '755');
    await sandbox.fs.uploadFile(Buffer.from('VALUE = "from a module in cwd"\n'), '/home/daytona/project/helper.py');
    const context = await sandbox.codeInterpreter.createContext('/home/daytona/project');
    const result = await sandbox.codeInterpreter.runCode('import os, helper\nprint(os.getcwd(), helper.VALUE)', { context });
    // (Where sandboxes run as plain processes, the folder shows as the host folder behind the sandbox's home.)
    expect(result.stdout).toMatch(/^\/\S*\/project from a module in cwd\n$/);
    await expect(sandbox.codeInterpreter.createContext('/home/daytona/nowhere')).rejects.toThrow(/does not exist in the sandbox/);
  });

  it('stops a runaway loop at its timeout, and the context keeps its state', async () => {
    const context = await sandbox.codeInterpreter.createContext();
    await sandbox.codeInterpreter.runCode('kept = "still here"', { context });
    // As on Daytona: the loop gets a KeyboardInterrupt, and the call returns what was printed until then.
    const result = await sandbox.codeInterpreter.runCode('print("looping", flush=True)\nwhile True:\n    pass', { context, timeout: 1 });
    expect(result.stdout).toBe('looping\n');
    expect((await sandbox.codeInterpreter.runCode('print(kept)', { context })).stdout).toBe('still here\n');
  });

  it('kills code that will not be interrupted: a timeout error, and the context starts afresh', async () => {
    const context = await sandbox.codeInterpreter.createContext();
    await sandbox.codeInterpreter.runCode('lost = 1', { context });
    const stubborn = 'while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass';
    const error = await sandbox.codeInterpreter.runCode(stubborn, { context, timeout: 1 }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DaytonaTimeoutError);
    const after = await sandbox.codeInterpreter.runCode('print("alive")\nprint(lost)', { context });
    expect(after.stdout).toBe('alive\n');
    expect(after.error).toMatchObject({ name: 'NameError' });
  });

  it('refuses what Daytona refuses: another language, deleting the default context', async () => {
    const language = await t.request(`/toolbox/${sandbox.id}/process/interpreter/context`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'javascript' }),
    });
    expect(language.status).toBe(400);
    expect((await language.json()).message).toMatch(/only 'python' is supported/);
    await expect(sandbox.codeInterpreter.deleteContext({ id: 'default' } as never)).rejects.toBeInstanceOf(DaytonaError);
    await expect(sandbox.codeInterpreter.runCode('   ')).rejects.toThrow(/Code is required/);
    const plain = await t.request(`/toolbox/${sandbox.id}/process/interpreter/execute`);
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as { message: string }).message).toMatch(/WebSocket endpoint/);
  });

  it('keeps a context and its state through a pause and resume', skipWhen(bubblewrapSkipReason(), 'bubblewrap'), async () => {
    const context = await sandbox.codeInterpreter.createContext();
    await sandbox.codeInterpreter.runCode('survivor = "kept in memory"', { context });
    await sandbox.pause();
    await sandbox.start();
    expect((await sandbox.codeInterpreter.runCode('print(survivor)', { context })).stdout).toBe('kept in memory\n');
    await sandbox.codeInterpreter.deleteContext(context);
  });

  it('forgets every context when the sandbox stops', async () => {
    const context = await sandbox.codeInterpreter.createContext();
    await sandbox.codeInterpreter.runCode('x = 1', { context });
    await sandbox.stop();
    await sandbox.start();
    expect(await sandbox.codeInterpreter.listContexts()).toEqual([]);
    await expect(sandbox.codeInterpreter.runCode('print(x)', { context })).rejects.toThrow(/context not found/);
    expect((await sandbox.codeInterpreter.runCode('print("default works")')).stdout).toBe('default works\n');
  });
});
