import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect, it } from 'vitest';
import { textOf } from './mcp-harness.ts';

/** Daytona's twelve tool names first, then ours: the exact set every transport must list. */
/** Daytona's 27 computer-use tools (the computer-use group). */
export const COMPUTER_USE_TOOL_NAMES = [
  'computer_use_start',
  'computer_use_stop',
  'computer_use_status',
  'computer_use_screenshot',
  'computer_use_screenshot_region',
  'computer_use_screenshot_compressed',
  'computer_use_screenshot_compressed_region',
  'computer_use_mouse_position',
  'computer_use_mouse_move',
  'computer_use_mouse_click',
  'computer_use_mouse_drag',
  'computer_use_mouse_scroll',
  'computer_use_keyboard_type',
  'computer_use_keyboard_press',
  'computer_use_keyboard_hotkey',
  'computer_use_display_info',
  'computer_use_windows',
  'computer_use_recording_start',
  'computer_use_recording_stop',
  'computer_use_recording_list',
  'computer_use_recording_get',
  'computer_use_recording_delete',
  'computer_use_accessibility_tree',
  'computer_use_accessibility_find',
  'computer_use_accessibility_focus',
  'computer_use_accessibility_invoke',
  'computer_use_accessibility_set_value',
];

export const TOOL_NAMES = [
  'create_sandbox',
  'destroy_sandbox',
  'file_upload',
  'file_download',
  'create_folder',
  'get_file_info',
  'list_files',
  'move_file',
  'delete_file',
  'execute_command',
  'git_clone',
  'preview_link',
  'list_sandboxes',
  'start_sandbox',
  'stop_sandbox',
  'code_run',
  'search_files',
  'git_status',
  'set_auto_stop',
  'pause_sandbox',
  'fork_sandbox',
  'command_wait',
  'command_output',
  'command_input',
  'command_stop',
  ...COMPUTER_USE_TOOL_NAMES,
];

export interface ScenarioContext {
  client: Client;
  /** The server's transfer folder (the only one localPath may use). */
  localDir: string;
}

/** The default transfer folder of a server whose HOME is `home`. */
export function transferFolderIn(home: string): string {
  return join(home, 'Downloads', 'Daytona');
}

const MISSING = 'no-such-sandbox';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args });
  return { result, text: textOf(result), isError: result.isError === true, data: result.structuredContent as any };
}

async function ok(client: Client, name: string, args: Record<string, unknown>) {
  const outcome = await call(client, name, args);
  expect(outcome.isError, `${name} failed: ${outcome.text}`).toBe(false);
  return outcome;
}

async function fails(client: Client, name: string, args: Record<string, unknown>, message: RegExp) {
  const outcome = await call(client, name, args);
  expect(outcome.isError, `${name} should have failed but said: ${outcome.text}`).toBe(true);
  expect(outcome.text).toMatch(message);
  // Failures are messages for an agent, never a stack trace.
  expect(outcome.text).not.toMatch(/\n\s+at .+:\d+:\d+/);
  return outcome;
}

/**
 * Registers one test per tool, each with a success path and a failure path, end to end against the local
 * provider; they run in order on one sandbox (created first, destroyed last).
 */
export function registerToolScenario(label: string, context: () => ScenarioContext): void {
  let id = '';
  const client = () => context().client;

  it('lists exactly the 50 tools (23 + the 27 of computer use), each with a described input schema', async () => {
    const { tools } = await client().listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...TOOL_NAMES].sort());
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(20);
      expect(tool.inputSchema.type).toBe('object');
    }
    const execute = tools.find((tool) => tool.name === 'execute_command')!;
    expect(Object.keys(execute.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['id', 'command', 'cwd', 'env', 'timeout']));
    expect(execute.inputSchema.required).toEqual(['id', 'command']);
  });

  it('create_sandbox: creates a started sandbox; refuses snapshot+image and an unknown id to reuse', async () => {
    const created = await ok(client(), 'create_sandbox', {
      name: `mcp-${label}-${Date.now()}`,
      labels: { suite: 'mcp', transport: label },
      env: { GREETING: 'hi' },
      autoStopInterval: 30,
    });
    expect(created.data).toMatchObject({ state: 'started', autoStopInterval: 30, labels: { suite: 'mcp', transport: label } });
    id = created.data.id;
    expect(created.text).toContain(id);
    const reused = await ok(client(), 'create_sandbox', { id });
    expect(reused.data.id).toBe(id);
    await fails(client(), 'create_sandbox', { snapshot: 'a', image: 'b' }, /one of `snapshot`, `image` or `buildInfo`, not several/);
    await fails(client(), 'create_sandbox', { id: MISSING }, /Sandbox 'no-such-sandbox' was not found: list_sandboxes/);
  });

  it('list_sandboxes: finds the sandbox by label; rejects an unknown state', async () => {
    const listed = await ok(client(), 'list_sandboxes', { labels: { transport: label } });
    expect(listed.data.sandboxes.map((s: { id: string }) => s.id)).toContain(id);
    expect(listed.text).toContain(id);
    await fails(client(), 'list_sandboxes', { states: ['sleeping'] }, /Invalid/i);
  });

  it('execute_command: returns exit code and output with env and cwd; times out; unknown sandbox', async () => {
    const run = await ok(client(), 'execute_command', {
      id,
      command: 'echo "$GREETING $EXTRA"; pwd; echo oops >&2; exit 3',
      cwd: '/tmp',
      env: { EXTRA: 'there' },
    });
    expect(run.data).toMatchObject({ exitCode: 3, truncated: false });
    expect(run.data.output).toContain('hi there');
    expect(run.data.output).toContain('/tmp');
    expect(run.data.output).toContain('oops');
    expect(run.text).toMatch(/^exit code 3/);
    await fails(
      client(),
      'execute_command',
      { id, command: 'sleep 5', timeout: 1 },
      /past its 1 s timeout and was stopped.*raise timeout/s,
    );
    await fails(client(), 'execute_command', { id: MISSING, command: 'true' }, /Sandbox 'no-such-sandbox' was not found/);
  });

  it('code_run: runs python in the sandbox; unknown sandbox', async () => {
    const run = await ok(client(), 'code_run', { id, code: 'import sys\nprint(6 * 7, sys.argv[1:])', argv: ['a'] });
    expect(run.data.exitCode).toBe(0);
    expect(run.data.output).toContain("42 ['a']");
    await fails(client(), 'code_run', { id: MISSING, code: 'print(1)' }, /not found/);
  });

  it('create_folder: creates nested folders with a mode; rejects a bad mode', async () => {
    await ok(client(), 'create_folder', { id, folderPath: 'work/sub', mode: '700' });
    const info = await ok(client(), 'get_file_info', { id, filePath: 'work/sub' });
    expect(info.data).toMatchObject({ isDir: true, name: 'sub' });
    expect(`${info.data.mode} ${info.data.permissions}`).toMatch(/700|rwx------/);
    await fails(client(), 'create_folder', { id, folderPath: 'work/x', mode: '999' }, /octal/);
  });

  it('file_upload: text, base64 and a local file; refuses to overwrite without overwrite: true', async () => {
    const text = await ok(client(), 'file_upload', { id, filePath: 'work/hello.txt', content: 'hello\n' });
    expect(text.data).toEqual({ path: 'work/hello.txt', size: 6 });
    await ok(client(), 'file_upload', {
      id,
      filePath: 'work/bin.dat',
      content: Buffer.from([0, 1, 2, 255]).toString('base64'),
      encoding: 'base64',
    });
    await ok(client(), 'file_upload', { id, filePath: 'work/pixel.png', content: PNG.toString('base64'), encoding: 'base64' });
    await mkdir(context().localDir, { recursive: true });
    const local = join(context().localDir, `upload-${label}.txt`);
    await writeFile(local, 'from this computer\n');
    const uploaded = await ok(client(), 'file_upload', { id, filePath: 'work/deep/from-local.txt', localPath: local });
    expect(uploaded.data.size).toBe(19);
    await fails(client(), 'file_upload', { id, filePath: 'work/hello.txt', content: 'again' }, /already exists.*overwrite: true/);
    const byName = await ok(client(), 'file_upload', { id, filePath: 'work/deep/by-name.txt', localPath: `upload-${label}.txt` });
    expect(byName.text).toContain(`from ${local}`);
    await fails(
      client(),
      'file_upload',
      { id, filePath: 'work/x.txt', localPath: '/etc/hostname' },
      /outside the transfer folder .*Daytona/,
    );
    await ok(client(), 'file_upload', { id, filePath: 'work/hello.txt', content: 'hello\n', overwrite: true });
  });

  it('get_file_info: describes a file; a missing path says so', async () => {
    const info = await ok(client(), 'get_file_info', { id, filePath: 'work/hello.txt' });
    expect(info.data).toMatchObject({ name: 'hello.txt', isDir: false, size: 6 });
    await fails(client(), 'get_file_info', { id, filePath: 'work/missing.txt' }, /not found.*list_files/is);
  });

  it('list_files: lists a folder; a missing folder says so', async () => {
    const listed = await ok(client(), 'list_files', { id, path: 'work' });
    expect(listed.data.entries.map((e: { name: string }) => e.name)).toEqual(
      expect.arrayContaining(['hello.txt', 'bin.dat', 'sub', 'deep']),
    );
    expect(listed.text).toMatch(/sub\//);
    await fails(client(), 'list_files', { id, path: 'nowhere' }, /not found/i);
  });

  it('file_download: text, base64, image and to a local path; refuses a big file without localPath', async () => {
    const text = await ok(client(), 'file_download', { id, filePath: 'work/hello.txt' });
    expect(text.text).toBe('hello\n');
    expect(text.data).toMatchObject({ encoding: 'text', size: 6 });
    const binary = await ok(client(), 'file_download', { id, filePath: 'work/bin.dat' });
    expect(binary.text).toBe(
      `work/bin.dat: binary data, not UTF-8 text (application/octet-stream), 4 B; its bytes follow as base64 on the next line.\n${Buffer.from([0, 1, 2, 255]).toString('base64')}`,
    );
    const image = await ok(client(), 'file_download', { id, filePath: 'work/pixel.png' });
    const block = (image.result.content as { type: string; mimeType?: string; data?: string }[]).find((b) => b.type === 'image');
    expect(block).toMatchObject({ mimeType: 'image/png', data: PNG.toString('base64') });
    await ok(client(), 'execute_command', { id, command: 'head -c 1500000 /dev/zero > work/big.bin' });
    await fails(client(), 'file_download', { id, filePath: 'work/big.bin' }, /1\.4 MiB, above the 1\.0 MiB limit.*pass localPath/);
    const target = join(context().localDir, `big-${label}.bin`);
    const saved = await ok(client(), 'file_download', { id, filePath: 'work/big.bin', localPath: target });
    expect(saved.data).toMatchObject({ size: 1_500_000, savedTo: target });
    expect((await readFile(target)).length).toBe(1_500_000);
    await fails(
      client(),
      'file_download',
      { id, filePath: 'work/big.bin', localPath: target },
      /already exists on this computer.*overwrite: true/,
    );
  });

  it('search_files: by content and by name; a missing folder says so', async () => {
    const byContent = await ok(client(), 'search_files', { id, path: 'work', pattern: 'hello' });
    expect(byContent.data.matches).toEqual(expect.arrayContaining([expect.objectContaining({ line: 1, content: 'hello' })]));
    expect(byContent.data.matches[0].file).toMatch(/work\/hello\.txt$/);
    const byName = await ok(client(), 'search_files', { id, path: 'work', pattern: '*.txt', searchBy: 'name' });
    expect(byName.data.matches.map((m: { file: string }) => m.file).join(' ')).toMatch(/hello\.txt.*|from-local\.txt/);
    expect(byName.data.count).toBe(3);
    await fails(client(), 'search_files', { id, path: 'nowhere', pattern: 'x' }, /not found/i);
  });

  it('move_file: renames a file; a missing source says so', async () => {
    await ok(client(), 'move_file', { id, sourcePath: 'work/hello.txt', destPath: 'work/moved.txt' });
    await ok(client(), 'get_file_info', { id, filePath: 'work/moved.txt' });
    await fails(client(), 'get_file_info', { id, filePath: 'work/hello.txt' }, /not found/i);
    await fails(client(), 'move_file', { id, sourcePath: 'work/hello.txt', destPath: 'work/again.txt' }, /not found/i);
  });

  it('delete_file: deletes a file, and a folder only with recursive: true', async () => {
    await ok(client(), 'delete_file', { id, filePath: 'work/moved.txt' });
    await fails(client(), 'delete_file', { id, filePath: 'work/sub' }, /folder.*recursive/);
    await ok(client(), 'delete_file', { id, filePath: 'work/sub', recursive: true });
    await fails(client(), 'get_file_info', { id, filePath: 'work/sub' }, /not found/i);
  });

  it('git_clone: clones a repository; a missing repository says so', async () => {
    await ok(client(), 'execute_command', {
      id,
      command:
        'git init -q -b main src && cd src && echo one > a.txt && git add a.txt && git -c user.email=t@example.com -c user.name=T commit -q -m init',
    });
    const cloned = await ok(client(), 'git_clone', { id, url: 'file:///home/daytona/src', path: 'clone' });
    expect(cloned.data).toEqual({ url: 'file:///home/daytona/src', path: 'clone' });
    const listed = await ok(client(), 'list_files', { id, path: 'clone' });
    expect(listed.data.entries.map((e: { name: string }) => e.name)).toContain('a.txt');
    await fails(
      client(),
      'git_clone',
      { id, url: 'file:///home/daytona/nothing-here', path: 'clone2' },
      /clone.*(not found|does not exist|failed)/is,
    );
  });

  it('git_status: shows branch and changed files; a folder that is no repository says so', async () => {
    await ok(client(), 'file_upload', { id, filePath: 'clone/b.txt', content: 'two\n' });
    const status = await ok(client(), 'git_status', { id, path: 'clone' });
    expect(status.data.currentBranch).toBe('main');
    expect(status.data.files).toEqual([expect.objectContaining({ name: 'b.txt', worktree: 'Untracked' })]);
    expect(status.text).toContain('On branch main');
    await fails(client(), 'git_status', { id, path: 'work' }, /not a git repository|not found/i);
  });

  it('preview_link: returns the URL and checks the port; unknown sandbox', async () => {
    const link = await ok(client(), 'preview_link', { id, port: 3000, checkServer: true, description: 'web' });
    // The local provider's preview proxy: http://<port>-<sandbox id>.localhost:<proxy port>.
    const url = new RegExp(`^http://3000-${id}\\.localhost:\\d+$`);
    expect(link.data).toMatchObject({ url: expect.stringMatching(url), port: 3000, listening: false });
    expect(link.text).toContain(`web: ${link.data.url}`);
    expect(link.text).toMatch(/Nothing listens on port 3000/);
    await fails(client(), 'preview_link', { id: MISSING, port: 3000 }, /not found/);
  });

  it('set_auto_stop: changes the interval; rejects a negative one', async () => {
    const changed = await ok(client(), 'set_auto_stop', { id, autoStopInterval: 0, autoDeleteInterval: -1 });
    expect(changed.data).toMatchObject({ autoStopInterval: 0, autoDeleteInterval: -1 });
    expect(changed.text).toContain('never auto-stops');
    await fails(client(), 'set_auto_stop', { id, autoStopInterval: -5 }, /Invalid|too small|>=0/i);
  });

  it('stop_sandbox: stops it, and toolbox calls then say to start it; unknown sandbox', async () => {
    const stopped = await ok(client(), 'stop_sandbox', { id });
    expect(stopped.data.state).toBe('stopped');
    await fails(client(), 'execute_command', { id, command: 'true' }, new RegExp(`Sandbox ${id} is stopped: start it with start_sandbox`));
    await fails(client(), 'stop_sandbox', { id: MISSING }, /not found/);
  });

  it('start_sandbox: starts it again and commands run; unknown sandbox', async () => {
    const started = await ok(client(), 'start_sandbox', { id });
    expect(started.data.state).toBe('started');
    const run = await ok(client(), 'execute_command', { id, command: 'cat clone/a.txt' });
    expect(run.data.output.trim()).toBe('one');
    await fails(client(), 'start_sandbox', { id: MISSING }, /not found/);
  });

  it('destroy_sandbox: destroys it for good; unknown sandbox', async () => {
    const destroyed = await ok(client(), 'destroy_sandbox', { id });
    expect(destroyed.data).toEqual({ id, destroyed: true });
    const listed = await ok(client(), 'list_sandboxes', { labels: { transport: label } });
    expect(listed.data.sandboxes.filter((s: { id: string; state: string }) => s.id === id && s.state !== 'destroyed')).toEqual([]);
    await fails(client(), 'destroy_sandbox', { id: MISSING }, /not found/);
  });
}
