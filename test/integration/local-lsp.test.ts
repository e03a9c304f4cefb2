import { DaytonaError, type Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlainTestProvider, startTestProvider, type TestProvider } from '../helpers/local-provider.ts';

// Both ways a sandbox runs: in bubblewrap (the packages mounted read-only) and as plain processes (the host's copies).
const runners = [
  ['in bubblewrap', startTestProvider],
  ['as plain processes', startPlainTestProvider],
] as const;

// sandbox.createLspServer() through the unmodified SDK: typescript-language-server and pyright (bundled npm packages)
// run inside the sandbox, one per language and project.
describe.each(runners)('local provider: LSP for typescript and python, sandboxes %s', (_label, start) => {
  let t: TestProvider;
  let sandbox: Sandbox;
  const write = (path: string, content: string) => sandbox.fs.uploadFile(Buffer.from(content), path);

  beforeAll(async () => {
    t = await start();
    sandbox = await t.daytona.create({ name: 'lsp' });
    await sandbox.fs.createFolder('/home/daytona/ts-project', '755');
    await sandbox.fs.createFolder('/home/daytona/py-project', '755');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('completes a member in a typescript file, and finds a function across the workspace', async () => {
    const file = '/home/daytona/ts-project/index.ts';
    await write(file, "export function greetSomeone(name: string): string {\n  return 'hello ' + name;\n}\nconst word = 'hi';\nword.\n");
    const lsp = await sandbox.createLspServer('typescript', '/home/daytona/ts-project');
    await lsp.start();
    await lsp.didOpen(file);
    const completions = await lsp.completions(file, { line: 4, character: 5 });
    const labels = completions.items.map((item) => item.label);
    expect(labels).toContain('toUpperCase');
    expect(labels).toContain('padStart');

    const symbols = await lsp.documentSymbols(file);
    expect(symbols.find((symbol) => symbol.name === 'greetSomeone')).toMatchObject({
      kind: 12,
      location: { uri: `file://${file}`, range: { start: { line: 0 } } },
    });
    const found = await lsp.workspaceSymbols('greetSome');
    expect(found.map((symbol) => symbol.name)).toContain('greetSomeone');

    await lsp.didClose(file);
    await lsp.stop();
    await expect(lsp.completions(file, { line: 4, character: 5 })).rejects.toThrow(/not started: call lspServer\.start\(\) first/);
  });

  it('lists the document symbols of a python file', async () => {
    const file = '/home/daytona/py-project/app.py';
    await write(
      file,
      'class Greeter:\n    def greet(self, name):\n        return "hello " + name\n\n\ndef main():\n    Greeter().greet("x")\n',
    );
    const lsp = await sandbox.createLspServer('python', '/home/daytona/py-project');
    await lsp.start();
    await lsp.didOpen(file);
    const symbols = await lsp.documentSymbols(file);
    const byName = Object.fromEntries(symbols.map((symbol) => [symbol.name, symbol]));
    expect(byName.Greeter).toMatchObject({ kind: 5, location: { uri: `file://${file}`, range: { start: { line: 0 } } } });
    expect(byName.greet?.kind).toBe(6);
    expect(byName.main).toMatchObject({ kind: 12, location: { range: { start: { line: 5 } } } });
    await lsp.stop();
  });

  it('says what to do when the server is not started, its folder or a file is missing', async () => {
    const lsp = await sandbox.createLspServer('python', '/home/daytona/elsewhere');
    await expect(lsp.documentSymbols('/home/daytona/elsewhere/x.py')).rejects.toBeInstanceOf(DaytonaError);
    await expect(lsp.start()).rejects.toThrow(/Project folder \/home\/daytona\/elsewhere does not exist in the sandbox/);
    await sandbox.fs.createFolder('/home/daytona/elsewhere', '755');
    await lsp.start();
    await expect(lsp.didOpen('/home/daytona/elsewhere/missing.py')).rejects.toThrow(/no such file in the sandbox/);
    await lsp.stop();
  });
});
