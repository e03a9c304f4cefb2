import { mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    bridge = spawnCli(['bridge'], cleanEnv({ DAYTONA_API_URL: provider.provider.apiUrl, DAYTONA_API_KEY: provider.provider.apiKey, DAYTONA_TRAY_HOME: dir.path, HOME: dir.path }), dir.path);
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
      expect(await fails('file_upload', { id, filePath: 'stolen.txt', localPath: 'link.txt' })).toMatch(/link\.txt is a symbolic link; links in the transfer folder .* are never followed/);
      expect(await fails('file_upload', { id, filePath: 'stolen.txt', localPath: 'linked-dir/secret.txt' })).toMatch(/goes through a link that leads out of the transfer folder/);
      expect(await fails('file_download', { id, filePath: 'data/a.txt', localPath: 'linked-dir/new.txt' })).toMatch(/goes through a link that leads out of the transfer folder/);
      expect(await fails('file_download', { id, filePath: 'data/a.txt', localPath: 'link.txt', overwrite: true })).toMatch(/is a symbolic link/);
      expect(await fails('file_download', { id, filePath: 'data/a.txt', localPath: 'dangling.txt', overwrite: true })).toMatch(/is a symbolic link/);
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
      expect(await fails('file_download', { id, filePath: 'data/a.txt', localPath: 'a.txt' })).toMatch(/already exists on this computer: pass overwrite: true/);
      await mkdir(join(folder, 'sub'));
      await ok('file_download', { id, filePath: 'data/a.txt', localPath: join(folder, 'sub', 'a.txt') });
      const up = await ok('file_upload', { id, filePath: 'data/b.txt', localPath: 'sub/a.txt' });
      expect(up.data.size).toBe(17);
    });
  });
});
