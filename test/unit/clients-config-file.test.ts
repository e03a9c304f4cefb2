import { chmod, lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_SUFFIX, commitChange, readConfigFile } from '../../main/core/clients/config-file.ts';
import { planChange, unifiedDiff, type JsonChange } from '../../main/core/clients/config-text.ts';
import { ClientSetupError } from '../../main/core/clients/types.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const ENTRY = { command: '/usr/bin/node', args: ['/app/out/main/cli.js', 'bridge'] };
const SET: JsonChange[] = [{ path: ['mcpServers', 'daytona'], value: ENTRY }];
const REMOVE: JsonChange[] = [{ path: ['mcpServers', 'daytona'], value: undefined }];

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: dir, cleanup } = await tempDir('clients-config-file-'));
});
afterEach(async () => cleanup());

async function apply(file: string, changes: JsonChange[], strictOutput = false, createParents = true) {
  const snapshot = await readConfigFile(file);
  const planned = planChange(snapshot, changes, { strictOutput });
  const result = await commitChange(snapshot, planned.text, { createParents });
  return { ...result, planned, text: await readFile(file, 'utf8') };
}

async function expectRefused(file: string, code: string, message: RegExp, strictOutput = false) {
  const before = await readFile(file).catch(() => null);
  const error = await apply(file, SET, strictOutput).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ClientSetupError);
  expect((error as ClientSetupError).code).toBe(code);
  expect((error as ClientSetupError).message).toMatch(message);
  if (before) expect(await readFile(file)).toEqual(before); // byte-identical
  expect((await readdir(dir)).filter((name) => name.endsWith('.tmp') || name.endsWith(BACKUP_SUFFIX))).toEqual([]);
}

describe('safe config writer: reading', () => {
  it('reads a missing file as an empty object', async () => {
    const snapshot = await readConfigFile(join(dir, 'none.json'));
    expect(snapshot).toMatchObject({ exists: false, root: {}, raw: null, strict: true });
  });

  it('reads a UTF-8 BOM, comments and trailing commas, and says the file was not strict JSON', async () => {
    const file = join(dir, 'c.json');
    await writeFile(file, '\uFEFF{\n  // a comment\n  "a": [1, 2,],\n  /* block */ "b": {"c": true,},\n}\n');
    const snapshot = await readConfigFile(file);
    expect(snapshot.root).toEqual({ a: [1, 2], b: { c: true } });
    expect(snapshot.strict).toBe(false);
    expect(snapshot.text.startsWith('{')).toBe(true);
  });

  it('keeps a "__proto__" key as data, not as a prototype', async () => {
    const file = join(dir, 'p.json');
    await writeFile(file, '{"__proto__": {"polluted": true}, "mcpServers": {}}');
    const snapshot = await readConfigFile(file);
    expect(Object.keys(snapshot.root)).toEqual(['__proto__', 'mcpServers']);
    expect((snapshot.root as { polluted?: unknown }).polluted).toBeUndefined();
    const { text } = await apply(file, SET);
    expect(JSON.parse(text)).toHaveProperty(['mcpServers', 'daytona']);
    expect(text).toContain('"__proto__": {"polluted": true}');
  });

  it('a file holding only comments is an empty config; our entry goes after the comments, which stay', async () => {
    const file = join(dir, 'comments.json');
    const original = '// servers for work\n/* more later */\n';
    await writeFile(file, original);
    expect((await readConfigFile(file)).root).toEqual({});
    const { text } = await apply(file, SET);
    expect(text.startsWith(original)).toBe(true);
    expect((await readConfigFile(file)).root).toEqual({ mcpServers: { daytona: ENTRY } });
  });

  it('an empty or whitespace-only file reads as {}', async () => {
    const file = join(dir, 'empty.json');
    await writeFile(file, '  \n');
    expect((await readConfigFile(file)).root).toEqual({});
  });
});

describe('safe config writer: refusals leave the file byte-identical', () => {
  it('an unparseable file: the error names the file and the line', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, '{\n  "mcpServers": {\n    "x": { "command": "y" }\n    "z": 1\n  }\n}\n');
    await expectRefused(file, 'PARSE', new RegExp(`Cannot parse ${file.replaceAll('/', '\\/')} \\(line 4, column 5: CommaExpected\\)`));
  });

  it('a duplicate "mcpServers" key: refused naming the line (parsers disagree on which copy counts)', async () => {
    const file = join(dir, 'dup.json');
    await writeFile(file, '{\n  "mcpServers": {"a": {"command": "a"}},\n  "other": 1,\n  "mcpServers": {"b": {"command": "b"}}\n}\n');
    await expectRefused(
      file,
      'DUPLICATE_KEY',
      /has the key "mcpServers" twice in the top level \(again on line 4\).*Merge the two into one/,
    );
  });

  it('a duplicate entry name on the path we edit is refused; duplicates elsewhere are not our business', async () => {
    const dup = join(dir, 'dup-entry.json');
    await writeFile(dup, '{"mcpServers": {\n"daytona": {"command": "a"},\n"daytona": {"command": "b"}\n}}');
    await expectRefused(dup, 'DUPLICATE_KEY', /"daytona" twice in "mcpServers" \(again on line 3\)/);
    const elsewhere = join(dir, 'dup-elsewhere.json');
    await writeFile(elsewhere, '{"theme": 1, "theme": 2, "mcpServers": {}}');
    expect(JSON.parse((await apply(elsewhere, SET)).text)).toMatchObject({ mcpServers: { daytona: ENTRY } });
  });

  it('a truncated file', async () => {
    const file = join(dir, 'cut.json');
    await writeFile(file, '{"mcpServers": {"x": {"command": "y"');
    await expectRefused(file, 'PARSE', /line 1/);
  });

  it.each([
    ['[]', 'array'],
    ['"text"', 'string'],
    ['null', 'null'],
    ['42', 'number'],
  ])('a non-object root (%s)', async (content, type) => {
    const file = join(dir, 'root.json');
    await writeFile(file, content);
    await expectRefused(file, 'NOT_OBJECT', new RegExp(`holds a JSON ${type}, not an object`));
  });

  it('a directory where the file should be', async () => {
    const file = join(dir, 'mcp.json');
    await mkdir(file);
    await writeFile(join(file, 'keep'), 'x');
    await expectRefused(file, 'NOT_A_FILE', /is a directory, but it should be a JSON file/);
    expect(await readFile(join(file, 'keep'), 'utf8')).toBe('x');
  });

  it('a read-only file (refused even when the folder would allow a rename, and even as root)', async () => {
    const file = join(dir, 'ro.json');
    await writeFile(file, '{"mcpServers": {}}');
    await chmod(file, 0o444);
    await expectRefused(file, 'READ_ONLY', /is read-only.*chmod u\+w/);
    expect((await stat(file)).mode & 0o777).toBe(0o444);
  });

  it('text that is not UTF-8', async () => {
    const file = join(dir, 'latin1.json');
    await writeFile(file, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d])); // {"é":1} in Latin-1
    await expectRefused(file, 'NOT_UTF8', /not UTF-8/);
  });

  it('a symlink to a missing file', async () => {
    const file = join(dir, 'dangling.json');
    await symlink(join(dir, 'nowhere.json'), file);
    await expectRefused(file, 'NOT_A_FILE', /symbolic link to a file that does not exist/);
    expect(await readlink(file)).toBe(join(dir, 'nowhere.json'));
  });

  it('a missing parent folder when the client is not installed', async () => {
    const file = join(dir, 'no', 'such', 'mcp.json');
    const error = await apply(file, SET, false, false).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NO_PARENT' });
    await expect(stat(join(dir, 'no'))).rejects.toThrow(/ENOENT/);
  });
});

describe('safe config writer: changes', () => {
  it('creates a new file (and its parents when allowed), private, strict JSON, no backup', async () => {
    const file = join(dir, 'a', 'b', 'mcp.json');
    const result = await apply(file, SET, false, true);
    expect(JSON.parse(result.text)).toEqual({ mcpServers: { daytona: ENTRY } });
    expect(result.text.endsWith('\n')).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(result.backup).toBeUndefined();
  });

  it('changes only our member: every other byte (comments, order, odd formatting) stays', async () => {
    const file = join(dir, 'keep.json');
    const original = [
      '{',
      "    // the user's notes",
      '    "theme": "dark",',
      '    "mcpServers": {',
      '        "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"], "env": {"GITHUB_TOKEN": "ghp_x"}},',
      '        "other":   { "command": "/bin/other" }',
      '    },',
      '    "unknownFutureKey": [1, {"deep": null}]',
      '}',
      '',
    ].join('\n');
    await writeFile(file, original);
    const { text } = await apply(file, SET);
    expect(text.split('\n').filter((line) => !original.includes(line))).toEqual([
      '        "other":   { "command": "/bin/other" },',
      '        "daytona": {',
      '            "command": "/usr/bin/node",',
      '            "args": [',
      '                "/app/out/main/cli.js",',
      '                "bridge"',
      '            ]',
      '        }',
    ]);
    const removed = await apply(file, REMOVE);
    expect(removed.text).toBe(original);
  });

  it('keeps CRLF line endings and tab indentation', async () => {
    const file = join(dir, 'crlf.json');
    await writeFile(file, '{\r\n\t"mcpServers": {\r\n\t\t"x": {}\r\n\t}\r\n}\r\n');
    const { text } = await apply(file, SET);
    expect(text).toBe(
      '{\r\n\t"mcpServers": {\r\n\t\t"x": {},\r\n\t\t"daytona": {\r\n\t\t\t"command": "/usr/bin/node",\r\n\t\t\t"args": [\r\n\t\t\t\t"/app/out/main/cli.js",\r\n\t\t\t\t"bridge"\r\n\t\t\t]\r\n\t\t}\r\n\t}\r\n}\r\n',
    );
  });

  it('keeps a one-line file on one line', async () => {
    const file = join(dir, 'one.json');
    await writeFile(file, '{"a":1,"mcpServers":{"x":{"command":"y"}}}');
    const { text } = await apply(file, SET);
    expect(text).toBe(`{"a":1,"mcpServers":{"x":{"command":"y"},"daytona":${JSON.stringify(ENTRY)}}}`);
  });

  it('adds mcpServers when missing, and fills an empty object neatly', async () => {
    const file = join(dir, 'empty-servers.json');
    await writeFile(file, '{\n  "a": 1,\n  "mcpServers": {}\n}\n');
    const { text } = await apply(file, SET);
    expect(text).toBe(
      `{\n  "a": 1,\n  "mcpServers": {\n    "daytona": ${JSON.stringify(ENTRY, null, 2).replaceAll('\n', '\n    ')}\n  }\n}\n`,
    );
    const other = join(dir, 'no-servers.json');
    await writeFile(other, '{\n  "a": 1\n}\n');
    expect(JSON.parse((await apply(other, SET)).text)).toEqual({ a: 1, mcpServers: { daytona: ENTRY } });
  });

  it('replaces an existing entry in place', async () => {
    const file = join(dir, 'replace.json');
    await writeFile(
      file,
      '{\n  "mcpServers": {\n    "daytona": {"command": "/old/node", "args": ["/old/out/main/cli.js", "bridge"]},\n    "z": {}\n  }\n}\n',
    );
    const { text } = await apply(file, SET);
    expect(JSON.parse(text)).toEqual({ mcpServers: { daytona: ENTRY, z: {} } });
    expect(text).toContain('\n    "z": {}\n');
  });

  it('JSONC output keeps comments, trailing commas and drops only the BOM', async () => {
    const file = join(dir, 'jsonc.json');
    await writeFile(file, '\uFEFF{\n  // keep me\n  "servers": {\n    "x": {"type": "stdio", "command": "y"},\n  },\n}\n');
    const { text, planned } = await apply(file, [{ path: ['servers', 'daytona'], value: { type: 'stdio', ...ENTRY } }]);
    expect(planned.normalized).toBe(false);
    expect(text.startsWith('{\n  // keep me\n')).toBe(true);
    expect(text).toContain('"x": {"type": "stdio", "command": "y"},\n    "daytona": {');
  });

  it('strict output rewrites a commented / trailing-comma / BOM file as plain JSON with every value kept', async () => {
    const file = join(dir, 'strict.json');
    await writeFile(
      file,
      '\uFEFF{\n  // note\n  "globalShortcut": "Ctrl+Space",\n  "mcpServers": {\n    "x": {"command": "y",},\n  },\n}\n',
    );
    const { text, planned, backup } = await apply(file, SET, true);
    expect(planned.normalized).toBe(true);
    expect(text.charCodeAt(0)).toBe(0x7b);
    expect(JSON.parse(text)).toEqual({ globalShortcut: 'Ctrl+Space', mcpServers: { x: { command: 'y' }, daytona: ENTRY } });
    expect(await readFile(backup!, 'utf8')).toContain('// note'); // the original, comments and all
  });

  it('backs up once: the first change makes <file>.daytona-tray.bak, later changes never overwrite it', async () => {
    const file = join(dir, 'bak.json');
    await writeFile(file, '{"mcpServers": {"first": {}}}', { mode: 0o640 });
    await chmod(file, 0o640);
    const first = await apply(file, SET);
    expect(first.backup).toBe(`${file}${BACKUP_SUFFIX}`);
    expect(await readFile(first.backup!, 'utf8')).toBe('{"mcpServers": {"first": {}}}');
    expect((await stat(first.backup!)).mode & 0o777).toBe(0o640);
    const second = await apply(file, REMOVE);
    expect(second.backup).toBeUndefined();
    expect(await readFile(first.backup!, 'utf8')).toBe('{"mcpServers": {"first": {}}}');
  });

  it('keeps the file mode', async () => {
    const file = join(dir, 'mode.json');
    await writeFile(file, '{}');
    await chmod(file, 0o640);
    await apply(file, SET);
    expect((await stat(file)).mode & 0o777).toBe(0o640);
  });

  it('follows a symlinked file: writes the target, keeps the link', async () => {
    const real = join(dir, 'dotfiles', 'mcp.json');
    await mkdir(join(dir, 'dotfiles'));
    await writeFile(real, '{"mcpServers": {"x": {}}}');
    const link = join(dir, 'mcp.json');
    await symlink(real, link);
    const result = await apply(link, SET);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(real);
    expect(JSON.parse(await readFile(real, 'utf8'))).toEqual({ mcpServers: { x: {}, daytona: ENTRY } });
    expect(result.backup).toBe(`${real}${BACKUP_SUFFIX}`);
    expect(await readdir(dir)).toEqual(['dotfiles', 'mcp.json']);
  });

  it("aborts when the file changes during the write: the other program's content stays, no temp file, no backup", async () => {
    const file = join(dir, 'race.json');
    await writeFile(file, '{"mcpServers": {}}');
    const snapshot = await readConfigFile(file);
    const planned = planChange(snapshot, SET, { strictOutput: false });
    const theirs = '{"mcpServers": {"theirs": {"command": "/bin/theirs"}}}';
    const error = await commitChange(snapshot, planned.text, { createParents: false, beforeRename: () => writeFile(file, theirs) }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'CONCURRENT_CHANGE' });
    expect((error as Error).message).toMatch(/changed by another program.*wrote nothing/);
    expect(await readFile(file, 'utf8')).toBe(theirs);
    expect(await readdir(dir)).toEqual(['race.json']);
  });

  it('aborts when the file appears during the write of a new one', async () => {
    const file = join(dir, 'new.json');
    const snapshot = await readConfigFile(file);
    const planned = planChange(snapshot, SET, { strictOutput: false });
    const error = await commitChange(snapshot, planned.text, {
      createParents: false,
      beforeRename: () => writeFile(file, '{"x": 1}'),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONCURRENT_CHANGE' });
    expect(await readFile(file, 'utf8')).toBe('{"x": 1}');
  });

  it('prints a unified diff with file headers', () => {
    const diff = unifiedDiff('/h/mcp.json', '{\n  "a": 1\n}\n', '{\n  "a": 1,\n  "b": 2\n}\n');
    expect(diff).toBe('--- /h/mcp.json\tcurrent\n+++ /h/mcp.json\tafter\n@@ -1,3 +1,4 @@\n {\n-  "a": 1\n+  "a": 1,\n+  "b": 2\n }\n');
  });
});
