import { mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettingsStore } from '../../main/core/settings/settings-store.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { ChildStdioTransport, cleanEnv, connectClient, spawnCli, textOf, type CliChild } from '../helpers/mcp-harness.ts';
import { transferFolderIn } from '../helpers/mcp-tool-scenario.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/*
 * Issue 19, "tools a model can trust": each behaviour through the real MCP client over the bridge (serving in
 * its own process) against the local provider, checking what the message tells a model.
 */
describe('MCP tools a model can trust (bridge -> local provider)', () => {
  let provider: TestProvider;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let bridge: CliChild;
  let client: Client;
  let id = '';
  let folder = '';
  let outside = '';

  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args });
    return { result, text: textOf(result), isError: result.isError === true, data: result.structuredContent as any };
  };
  const ok = async (name: string, args: Record<string, unknown>) => {
    const outcome = await call(name, args);
    expect(outcome.isError, `${name} failed: ${outcome.text}`).toBe(false);
    return outcome;
  };
  const fails = async (name: string, args: Record<string, unknown>) => {
    const outcome = await call(name, args);
    expect(outcome.isError, `${name} should have failed but said: ${outcome.text}`).toBe(true);
    return outcome.text;
  };

  beforeAll(async () => {
    provider = await startTestProvider();
    dir = await tempDir('daytona-tray-mcp-trust-');
    folder = transferFolderIn(dir.path);
    outside = join(dir.path, 'private');
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'not for the sandbox\n');
    bridge = spawnCli(
      ['bridge'],
      cleanEnv({
        DAYTONA_API_URL: provider.provider.apiUrl,
        DAYTONA_API_KEY: provider.provider.apiKey,
        DAYTONA_TRAY_HOME: dir.path,
        HOME: dir.path,
      }),
      dir.path,
    );
    client = await connectClient(new ChildStdioTransport(bridge));
    id = (await ok('create_sandbox', { name: `trust-${Date.now()}` })).data.id;
    await ok('file_upload', { id, filePath: 'data/a.txt', content: 'from the sandbox\n' });
  }, 120_000);
  afterAll(async () => {
    if (id) await client?.callTool({ name: 'destroy_sandbox', arguments: { id } }).catch(() => {});
    await client?.close().catch(() => {});
    await bridge?.kill();
    await provider?.stop();
    await dir?.cleanup();
  });

  describe('host transfers stay in the transfer folder', () => {
    it('file_download saves by name into ~/Downloads/Daytona, creating it, and says where', async () => {
      const saved = await ok('file_download', { id, filePath: 'data/a.txt', localPath: 'a.txt' });
      expect(saved.data.savedTo).toBe(join(folder, 'a.txt'));
      expect(saved.text).toContain(`to ${join(folder, 'a.txt')} on this computer`);
      expect(await readFile(join(folder, 'a.txt'), 'utf8')).toBe('from the sandbox\n');
    });

    it('refuses to write anywhere else, naming the folder', async () => {
      for (const localPath of [join(outside, 'x.txt'), '../private/x.txt', join(folder, '..', 'x.txt'), '/tmp/daytona-tray-trust-x.txt']) {
        const text = await fails('file_download', { id, filePath: 'data/a.txt', localPath });
        expect(text).toContain(`is outside the transfer folder ${folder}`);
        expect(text).toContain(folder);
        expect(text).toContain("chosen in Daytona Tray's settings");
      }
    });

    it('refuses to read anywhere else: /etc/passwd, a ../ escape', async () => {
      for (const localPath of ['/etc/passwd', '../private/secret.txt']) {
        const text = await fails('file_upload', { id, filePath: 'stolen.txt', localPath });
        expect(text).toMatch(new RegExp(`outside the transfer folder ${folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      }
      expect((await call('get_file_info', { id, filePath: 'stolen.txt' })).isError).toBe(true);
    });

    it('never follows a link out of the folder: a file link, a folder link, a dangling link', async () => {
      await symlink(join(outside, 'secret.txt'), join(folder, 'link.txt'));
      await symlink(outside, join(folder, 'linked-dir'));
      await symlink(join(outside, 'not-yet.txt'), join(folder, 'dangling.txt'));
      expect(await fails('file_upload', { id, filePath: 'stolen.txt', localPath: 'link.txt' })).toMatch(
        /link\.txt is a symbolic link; links in the transfer folder .* are never followed/,
      );
      expect(await fails('file_upload', { id, filePath: 'stolen.txt', localPath: 'linked-dir/secret.txt' })).toMatch(
        /goes through a link that leads out of the transfer folder/,
      );
      expect(await fails('file_download', { id, filePath: 'data/a.txt', localPath: 'linked-dir/new.txt' })).toMatch(
        /goes through a link that leads out of the transfer folder/,
      );
      expect(await fails('file_download', { id, filePath: 'data/a.txt', localPath: 'link.txt', overwrite: true })).toMatch(
        /is a symbolic link/,
      );
      expect(await fails('file_download', { id, filePath: 'data/a.txt', localPath: 'dangling.txt', overwrite: true })).toMatch(
        /is a symbolic link/,
      );
      // Nothing outside changed, and the links are still links.
      expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('not for the sandbox\n');
      await expect(readFile(join(outside, 'not-yet.txt'))).rejects.toThrow(/ENOENT/);
      await expect(readFile(join(outside, 'new.txt'))).rejects.toThrow(/ENOENT/);
      expect(await readlink(join(folder, 'link.txt'))).toBe(join(outside, 'secret.txt'));
      expect((await call('get_file_info', { id, filePath: 'stolen.txt' })).isError).toBe(true);
    });

    it('a missing subfolder is said to be missing; an existing file needs overwrite', async () => {
      const missing = await fails('file_download', { id, filePath: 'data/a.txt', localPath: 'sub/a.txt' });
      expect(missing).toContain(`The folder ${join(folder, 'sub')} does not exist in the transfer folder`);
      expect(await fails('file_download', { id, filePath: 'data/a.txt', localPath: 'a.txt' })).toMatch(
        /already exists on this computer: pass overwrite: true/,
      );
      await mkdir(join(folder, 'sub'));
      await ok('file_download', { id, filePath: 'data/a.txt', localPath: join(folder, 'sub', 'a.txt') });
      const up = await ok('file_upload', { id, filePath: 'data/b.txt', localPath: 'sub/a.txt' });
      expect(up.data.size).toBe(17);
    });

    it('a folder chosen in settings (as the window saves it) is the one used from the next call, without a restart', async () => {
      const chosen = join(dir.path, 'chosen');
      const settings = createSettingsStore({ env: { DAYTONA_TRAY_HOME: dir.path } });
      await settings.update((s) => {
        s.mcp.transferFolder = chosen;
      });
      try {
        const saved = await ok('file_download', { id, filePath: 'data/a.txt', localPath: 'a.txt' });
        expect(saved.data.savedTo).toBe(join(chosen, 'a.txt'));
        expect(await readFile(join(chosen, 'a.txt'), 'utf8')).toBe('from the sandbox\n');
        // The default folder is now outside: the message names the chosen one.
        expect(await fails('file_upload', { id, filePath: 'x.txt', localPath: join(folder, 'a.txt') })).toContain(
          `is outside the transfer folder ${chosen}`,
        );
      } finally {
        await settings.update((s) => {
          delete s.mcp.transferFolder;
        });
      }
    });
  });

  it('annotates every tool honestly (MCP spec: hints about the environment the tool acts on)', async () => {
    const { tools } = await client.listTools();
    const hints = Object.fromEntries(tools.map((tool) => [tool.name, tool.annotations ?? {}]));
    for (const [name, annotation] of Object.entries(hints)) {
      expect(typeof annotation.readOnlyHint, name).toBe('boolean');
      expect(annotation.openWorldHint, name).toBe(true);
      // destructive/idempotent only mean something for a tool that changes things: then both are stated.
      if (annotation.readOnlyHint === false) {
        expect(typeof annotation.destructiveHint, name).toBe('boolean');
        expect(typeof annotation.idempotentHint, name).toBe('boolean');
      }
    }
    // Writes (and with overwrite replaces) a file on the user's computer: never read-only.
    expect(hints.file_download).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
    expect(hints.file_upload).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    // move_file refuses an existing destination; stop_sandbox kills processes (and deletes an ephemeral sandbox).
    expect(hints.move_file).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(hints.stop_sandbox).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    for (const name of ['list_sandboxes', 'list_files', 'get_file_info', 'search_files', 'git_status', 'preview_link'])
      expect(hints[name]!.readOnlyHint, name).toBe(true);
    for (const name of ['destroy_sandbox', 'delete_file', 'execute_command', 'code_run'])
      expect(hints[name]!.destructiveHint, name).toBe(true);
  });

  describe("Daytona's semantics", () => {
    it('move_file refuses an existing destination (409) and says a missing destination folder is missing', async () => {
      await ok('file_upload', { id, filePath: 'mv/src.txt', content: 'src\n' });
      await ok('file_upload', { id, filePath: 'mv/dst.txt', content: 'dst\n' });
      const conflict = await fails('move_file', { id, sourcePath: 'mv/src.txt', destPath: 'mv/dst.txt' });
      expect(conflict).toContain('the destination mv/dst.txt already exists');
      expect(conflict).toContain('delete_file');
      expect((await ok('file_download', { id, filePath: 'mv/dst.txt' })).text).toBe('dst\n');
      expect((await ok('file_download', { id, filePath: 'mv/src.txt' })).text).toBe('src\n');
      const missing = await fails('move_file', { id, sourcePath: 'mv/src.txt', destPath: 'mv/nowhere/src.txt' });
      expect(missing).toContain("the destination's folder mv/nowhere does not exist");
      expect(missing).toContain('create_folder');
    });

    it('search_files says it is literal, hints when a pattern looks like a regex, and says "showing 2 of 6"', async () => {
      await ok('file_upload', {
        id,
        filePath: 'src/code.py',
        content: 'def one(a):\n  pass\ndef two(b):\n  pass\n' + 'needle\n'.repeat(6),
      });
      const { tools } = await client.listTools();
      expect(tools.find((tool) => tool.name === 'search_files')!.description).toMatch(/literal text.*not a regular expression/);
      const regex = await ok('search_files', { id, path: 'src', pattern: 'def \\w+\\(' });
      expect(regex.data.count).toBe(0);
      expect(regex.text).toContain('The search is for literal text');
      expect(regex.text).toContain('grep -rnE');
      const literal = await ok('search_files', { id, path: 'src', pattern: 'def two(' });
      expect(literal.data.matches).toEqual([expect.objectContaining({ line: 3, content: 'def two(b):' })]);
      const cut = await ok('search_files', { id, path: 'src', pattern: 'needle', limit: 2 });
      expect(cut.data).toMatchObject({ count: 6, truncated: true });
      expect(cut.data.matches).toHaveLength(2);
      expect(cut.text).toMatch(/^showing 2 of 6 matching lines under src \(narrow it/);
    });

    it('list_files and search_files cap their output with a marker saying what was left out', async () => {
      const long = 'x'.repeat(200);
      await ok('execute_command', {
        id,
        command: `mkdir -p many && cd many && for i in $(seq 1 1500); do : > entry-with-a-long-name-for-the-cap-$i.txt; done; for i in $(seq 1 1000); do echo "needle ${long}"; done > big.txt`,
      });
      const listed = await ok('list_files', { id, path: 'many' });
      expect(listed.text.length).toBeLessThan(100_500);
      expect(listed.data).toMatchObject({ count: 1501, truncated: true });
      expect(listed.text).toMatch(
        new RegExp(`^many \\(showing ${listed.data.entries.length} of 1501 entries; find the rest with search_files`),
      );
      const found = await ok('search_files', { id, path: 'many', pattern: 'needle', limit: 1000 });
      expect(found.text.length).toBeLessThan(100_500);
      expect(found.data.count).toBe(1000);
      expect(found.data.matches.length).toBeLessThan(1000);
      expect(found.text).toMatch(new RegExp(`^showing ${found.data.matches.length} of 1000 matching lines`));
    });

    it("create_sandbox states the server's name rule in its schema and refuses other names", async () => {
      const { tools } = await client.listTools();
      const name = (
        tools.find((tool) => tool.name === 'create_sandbox')!.inputSchema.properties as Record<
          string,
          { pattern?: string; description?: string }
        >
      ).name!;
      expect(name.pattern).toBe('^[A-Za-z0-9._-]{1,63}$');
      expect(name.description).toContain('1-63');
      for (const bad of ['has space', 'x'.repeat(64), 'ünïcode']) {
        expect(await fails('create_sandbox', { name: bad })).toContain('1-63 letters, digits, dots, underscores or hyphens');
      }
    });

    it('stop_sandbox says an ephemeral sandbox is deleted, and a normal one keeps its files', async () => {
      const ephemeral = (await ok('create_sandbox', { name: `trust-eph-${Date.now()}`, autoDeleteInterval: 0 })).data.id;
      const stopped = await ok('stop_sandbox', { id: ephemeral });
      expect(stopped.text).toContain('It is ephemeral (autoDeleteInterval 0), so Daytona deletes it now that it is stopped');
      expect(stopped.text).not.toContain('files are kept');
      await client.callTool({ name: 'destroy_sandbox', arguments: { id: ephemeral } });
      const { tools } = await client.listTools();
      expect(tools.find((tool) => tool.name === 'stop_sandbox')!.description).toContain('ephemeral (autoDeleteInterval 0)');
    });

    it("preview_link never advises 0.0.0.0 and does not call another sandbox's port listening here", async () => {
      const closed = await ok('preview_link', { id, port: 38_117, checkServer: true });
      expect(closed.data.listening).toBe(false);
      expect(closed.text).not.toContain('0.0.0.0');
      expect(closed.text).toContain('127.0.0.1');
      const other = (await ok('create_sandbox', { name: `trust-other-${Date.now()}` })).data.id;
      try {
        await ok('execute_command', {
          id: other,
          command:
            'nohup python3 -m http.server 38118 --bind 127.0.0.1 >/dev/null 2>&1 & sleep 1; for i in $(seq 1 50); do (echo > /dev/tcp/127.0.0.1/38118) 2>/dev/null && break; sleep 0.2; done',
        });
        const there = await ok('preview_link', { id: other, port: 38_118, checkServer: true });
        expect(there.data.listening).toBe(true);
        const here = await ok('preview_link', { id, port: 38_118, checkServer: true });
        expect(here.data.listening).toBe(false);
        expect(here.text).not.toContain('0.0.0.0');
      } finally {
        await client.callTool({ name: 'destroy_sandbox', arguments: { id: other } });
      }
    });
  });

  describe('messages written for a model', () => {
    it('a path the sandbox may not write says where the home directory is, not that the API key lacks rights', async () => {
      const text = await fails('create_folder', { id, folderPath: '/usr/daytona-tray-probe' });
      expect(text).toContain("The sandbox user's home directory is /home/daytona");
      expect(text).not.toMatch(/API key|dashboard/);
    });

    it('names no SDK method, prints each hint once, and gives git_status no clone-URL advice', async () => {
      const missing = await fails('list_files', { id, path: 'nowhere' });
      expect(missing).not.toMatch(/\b(fs|git|process)\.[a-z]\w*|runAsync/);
      expect(missing.match(/list_files/g)).toHaveLength(1);
      const status = await fails('git_status', { id, path: 'nowhere' });
      expect(status).not.toMatch(/\b(fs|git|process)\.[a-z]\w*|runAsync/);
      expect(status).not.toMatch(/clone|URL/i);
      expect(status).toContain('git repository folder');
      const timeout = await fails('execute_command', { id, command: 'sleep 5', timeout: 1 });
      expect(timeout).not.toMatch(/runAsync|session/);
    });

    it('redacts a git password as a whole token, never its letters in other words', async () => {
      const text = await fails('git_clone', { id, url: 'http://127.0.0.1:1/none.git', path: 'c1', username: 'u', password: 'e' });
      expect(text).not.toMatch(/\w\*\*\*|\*\*\*\w/);
      expect(text).toMatch(/unable|could not|failed/i);
    });

    it('a blocked network is not "retry in a moment"', async () => {
      const blocked = (await ok('create_sandbox', { name: `trust-net-${Date.now()}`, networkBlockAll: true })).data.id;
      try {
        const text = await fails('git_clone', { id: blocked, url: 'https://github.com/daytonaio/daytona.git', path: 'c' });
        expect(text).not.toMatch(/retry in a moment/i);
        expect(text).toMatch(/network/i);
      } finally {
        await client.callTool({ name: 'destroy_sandbox', arguments: { id: blocked } });
      }
    });

    it('execute_command: a missing cwd or a file as cwd is a clear error; the description says bash, and bash runs it', async () => {
      const missing = await call('execute_command', { id, command: 'pwd', cwd: 'no/such/dir' });
      expect(missing.isError).toBe(true);
      expect(missing.text).toContain('The working directory no/such/dir does not exist');
      expect(missing.text).toContain('the command did not run');
      const file = await call('execute_command', { id, command: 'pwd', cwd: 'data/a.txt' });
      expect(file.isError).toBe(true);
      expect(file.text).toContain('is a file');
      const { tools } = await client.listTools();
      expect(tools.find((tool) => tool.name === 'execute_command')!.description).toMatch(/bash in the default images/);
      // A server started with `&` would end with the call or run untracked: the description sends it to background: true.
      expect(tools.find((tool) => tool.name === 'execute_command')!.description).toMatch(/`cmd &`.*background: true/s);
      const shell = await ok('execute_command', { id, command: 'echo "bash=${BASH_VERSION:+yes}"' });
      expect(shell.data.output.trim()).toBe('bash=yes');
    });

    it('get_file_info marks a symlink as a link (with its target) and a dangling link as one', async () => {
      await ok('execute_command', { id, command: 'ln -sfn data/a.txt alink && ln -sfn data/gone.txt dangling' });
      const link = await ok('get_file_info', { id, filePath: 'alink' });
      expect(link.data).toMatchObject({ isLink: true, linkTarget: 'data/a.txt', isDir: false });
      expect(link.text).toMatch(/^Symbolic link alink -> data\/a\.txt; the target is a file:/);
      const plain = await ok('get_file_info', { id, filePath: 'data/a.txt' });
      expect(plain.data.isLink).toBe(false);
      const dangling = await fails('get_file_info', { id, filePath: 'dangling' });
      expect(dangling).toContain('dangling is a symbolic link to data/gone.txt, which does not exist');
    });
  });
});

describe('a running tool call keeps its sandbox active (bridge -> local provider on a scaled clock)', () => {
  let provider: TestProvider;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let bridge: CliChild;
  let client: Client;

  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args });
    return { text: textOf(result), isError: result.isError === true, data: result.structuredContent as any };
  };

  beforeAll(async () => {
    // One "minute" is 500 ms: a sandbox with autoStopInterval 3 stops after 1.5 s without activity.
    provider = await startTestProvider({ minuteMs: 500 });
    dir = await tempDir('daytona-tray-mcp-activity-');
    bridge = spawnCli(
      ['bridge'],
      cleanEnv({
        DAYTONA_API_URL: provider.provider.apiUrl,
        DAYTONA_API_KEY: provider.provider.apiKey,
        DAYTONA_TRAY_HOME: dir.path,
        HOME: dir.path,
        DAYTONA_TRAY_MCP_ACTIVITY_MS: '150',
      }),
      dir.path,
    );
    client = await connectClient(new ChildStdioTransport(bridge));
  }, 60_000);
  afterAll(async () => {
    await client?.close().catch(() => {});
    await bridge?.kill();
    await provider?.stop();
    await dir?.cleanup();
  });

  it('a command running longer than the auto-stop interval finishes, and the sandbox is still started', async () => {
    const created = await call('create_sandbox', { name: `active-${Date.now()}`, autoStopInterval: 3 });
    expect(created.isError, created.text).toBe(false);
    const id = created.data.id;
    const run = await call('execute_command', { id, command: 'sleep 4; echo done', timeout: 60 });
    expect(run.isError, run.text).toBe(false);
    expect(run.data).toMatchObject({ exitCode: 0 });
    expect(run.data.output.trim()).toBe('done');
    expect(provider.provider.service.get(id).state).toBe('started');
    await call('destroy_sandbox', { id });
  });

  it('when the sandbox stops under a running call anyway, the result says so', async () => {
    const id = (await call('create_sandbox', { name: `stopped-${Date.now()}`, autoStopInterval: 0 })).data.id;
    const running = call('execute_command', { id, command: 'touch started; sleep 30', timeout: 60 });
    await expect.poll(async () => (await call('get_file_info', { id, filePath: 'started' })).isError, { timeout: 20_000 }).toBe(false);
    expect((await call('stop_sandbox', { id })).isError).toBe(false);
    const result = await running;
    expect(result.text).toMatch(
      new RegExp(`^Sandbox ${id} stopped while this call ran \\(it is stopp(ing|ed) now\\), which ended what was running`),
    );
    expect(result.text).toContain('start_sandbox');
    await call('destroy_sandbox', { id });
  });
});
