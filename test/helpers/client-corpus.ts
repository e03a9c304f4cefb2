import { chmod, lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BridgeLaunch } from '../../main/core/clients/bridge-launch.ts';
import { BACKUP_SUFFIX } from '../../main/core/clients/config-file.ts';
import type { Host } from '../../main/core/clients/host.ts';
import { createClients } from '../../main/core/clients/registry.ts';
import { ClientSetupError, type AiClient, type ClientId } from '../../main/core/clients/types.ts';
import { tempDir } from './temp-dir.ts';

/**
 * The hostile corpus every config format must pass, run through a real client of that format against
 * real files in a temp HOME (Linux rules, an empty PATH): what the user sees is the file on disk and
 * the error message. `fixtures` says how this format spells each case.
 */
export interface CorpusFixtures {
  client: ClientId;
  /** Makes the client look installed; returns its config file. */
  install(home: string): Promise<string>;
  /** The file parsed as plain data. */
  parse(text: string): Record<string, unknown>;
  /** Our entry (as written for `launch`) inside a parsed root, or undefined. */
  entryIn(root: Record<string, unknown>): unknown;
  /** A user's file with comments, odd spacing and other servers; our entry must go in and out leaving every other byte. */
  rich: string;
  /** The same kind of file written with CRLF line ends (and a BOM in front), plus tabs where the format allows them. */
  crlf: string;
  /** A file that does not parse, and the line the error must name. */
  unparseable: { text: string; line: number };
  /** A root that is not a map (or, where the format cannot have one, a servers key of the wrong type) and the code. */
  wrongRoot: { text: string; code: string };
  /** A file with a `daytona` server that Daytona Tray did not write. */
  foreign: string;
}

export function hostileCorpus(fixtures: CorpusFixtures): void {
  describe(`hostile corpus: ${fixtures.client}`, () => {
    let home: string;
    let cleanup: () => Promise<void>;
    let launch: BridgeLaunch;
    let file: string;
    let beforeRename: (() => Promise<void>) | undefined;

    const client = (): AiClient => {
      const host: Host = { platform: 'linux', home, env: { PATH: join(home, 'empty-bin') } };
      return createClients({ host, launch, beforeRename: () => beforeRename?.() ?? Promise.resolve() })[fixtures.client];
    };
    const write = async (content: string | Buffer) => {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
    };
    const text = () => readFile(file, 'utf8');
    const listing = async () => (await readdir(dirname(file))).filter((name) => name.includes(basename(file))).sort();
    const refusal = async (promise: Promise<unknown>, code: string) => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ClientSetupError);
      expect((error as ClientSetupError).code).toBe(code);
      return error as ClientSetupError;
    };
    const ourLaunch = (entry: unknown) => JSON.stringify(entry).includes(JSON.stringify(launch.args[0]));

    beforeEach(async () => {
      ({ path: home, cleanup } = await tempDir(`corpus-${fixtures.client}-`));
      const script = join(home, 'app', 'out', 'main', 'cli.js');
      await mkdir(dirname(script), { recursive: true });
      await writeFile(script, '');
      await mkdir(join(home, 'empty-bin'));
      launch = { command: process.execPath, args: [script, 'bridge'], env: { ELECTRON_RUN_AS_NODE: '1' } };
      file = await fixtures.install(home);
      beforeRename = undefined;
    });
    afterEach(async () => cleanup());

    it('a fresh install: setup creates the file with our entry, status connected; unsetup removes the file it created', async () => {
      expect(await client().connect()).toMatchObject({ action: 'connected', file, via: 'file' });
      expect(ourLaunch(fixtures.entryIn(fixtures.parse(await text())))).toBe(true);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(await client().status()).toMatchObject({ entry: 'ours', current: true, connected: true });
      expect(await client().connect()).toMatchObject({ action: 'unchanged' });
      expect(await client().disconnect()).toMatchObject({
        action: 'disconnected',
        notes: expect.arrayContaining([expect.stringContaining('setup created it')]),
      });
      expect(await listing()).toEqual([]);
    });

    it('comments, order, anchors and odd spacing: only our entry goes in, and out again byte for byte', async () => {
      await write(fixtures.rich);
      const before = fixtures.parse(fixtures.rich);
      const result = await client().connect();
      expect(result).toMatchObject({ action: 'connected', notes: [expect.any(String)] }); // only the apply hint: no "reformatted" note
      const after = await text();
      expect(ourLaunch(fixtures.entryIn(fixtures.parse(after)))).toBe(true);
      // Every line of the user's file is still there, in order, as written.
      const lines = after.split('\n');
      let at = 0;
      for (const line of fixtures.rich.split('\n')) {
        at = lines.indexOf(line, at);
        expect(at, `line kept: ${JSON.stringify(line)}`).toBeGreaterThanOrEqual(0);
      }
      expect(await readFile(`${file}${BACKUP_SUFFIX}`, 'utf8')).toBe(fixtures.rich);
      expect(await client().disconnect()).toMatchObject({ action: 'disconnected' });
      expect(await text()).toBe(fixtures.rich);
      expect(fixtures.parse(await text())).toEqual(before);
    });

    it('BOM and CRLF (and tabs where allowed) are kept: no bare line feed is added', async () => {
      await write(`\uFEFF${fixtures.crlf}`);
      await client().connect();
      const raw = await readFile(file);
      expect(raw.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      expect(raw.toString('utf8').replaceAll('\r\n', '')).not.toContain('\n');
      await client().disconnect();
      expect(await text()).toBe(`\uFEFF${fixtures.crlf}`);
    });

    it('a dry run shows the diff and writes nothing', async () => {
      await write(fixtures.rich);
      const result = await client().connect({ dryRun: true });
      expect(result).toMatchObject({ action: 'connected', dryRun: true });
      expect(result.diff).toContain(`--- ${file}`);
      expect(result.diff).toContain(launch.args[0]);
      expect(await text()).toBe(fixtures.rich);
      expect(await listing()).toEqual([basename(file)]);
    });

    it('an unparseable file is refused with its name and line, and stays byte-identical', async () => {
      await write(fixtures.unparseable.text);
      const error = await refusal(client().connect(), 'PARSE');
      expect(error.message).toContain(`Cannot parse ${file}`);
      expect(error.message).toContain(`(line ${fixtures.unparseable.line},`);
      expect(await text()).toBe(fixtures.unparseable.text);
      expect(await listing()).toEqual([basename(file)]);
      expect(await client().status()).toMatchObject({ entry: 'absent', problem: expect.stringContaining('Cannot parse') });
    });

    it('a root (or servers key) of the wrong type is refused, file untouched', async () => {
      await write(fixtures.wrongRoot.text);
      await refusal(client().connect(), fixtures.wrongRoot.code);
      expect(await text()).toBe(fixtures.wrongRoot.text);
    });

    it('a foreign "daytona" entry is left alone with a message; --force replaces it, unsetup --force removes it', async () => {
      await write(fixtures.foreign);
      const error = await refusal(client().connect(), 'FOREIGN_ENTRY');
      expect(error.message).toMatch(/Daytona Tray did not write.*--force/);
      expect(await text()).toBe(fixtures.foreign);
      expect(await client().status()).toMatchObject({ entry: 'foreign', connected: false });
      await refusal(client().disconnect(), 'FOREIGN_ENTRY');
      expect(await text()).toBe(fixtures.foreign);
      expect(await client().connect({ force: true })).toMatchObject({ action: 'updated' });
      expect(ourLaunch(fixtures.entryIn(fixtures.parse(await text())))).toBe(true);
    });

    it('a directory where the file should be is refused and left alone', async () => {
      await mkdir(join(file, 'inner'), { recursive: true });
      const error = await refusal(client().connect(), 'NOT_A_FILE');
      expect(error.message).toContain(`${file} is a directory`);
      expect(await readdir(file)).toEqual(['inner']);
    });

    it('a read-only file is refused, content and mode unchanged', async () => {
      await write(fixtures.rich);
      await chmod(file, 0o444);
      await refusal(client().connect(), 'READ_ONLY');
      expect(await text()).toBe(fixtures.rich);
      expect((await stat(file)).mode & 0o777).toBe(0o444);
      expect(await listing()).toEqual([basename(file)]);
    });

    it('a symlinked file: the target is written, the link is kept', async () => {
      const real = join(home, 'dotfiles', basename(file));
      await mkdir(dirname(real), { recursive: true });
      await writeFile(real, fixtures.rich);
      await mkdir(dirname(file), { recursive: true });
      await symlink(real, file);
      await client().connect();
      expect((await lstat(file)).isSymbolicLink()).toBe(true);
      expect(await readlink(file)).toBe(real);
      expect(ourLaunch(fixtures.entryIn(fixtures.parse(await readFile(real, 'utf8'))))).toBe(true);
      expect(await client().status()).toMatchObject({ connected: true });
    });

    it('a concurrent edit wins: the other program saved meanwhile, so nothing is written and its content stays', async () => {
      await write(fixtures.rich);
      const theirs = `${fixtures.rich}\n`;
      beforeRename = () => writeFile(file, theirs);
      const error = await refusal(client().connect(), 'CONCURRENT_CHANGE');
      expect(error.message).toContain('changed by another program');
      expect(await text()).toBe(theirs);
      expect(await listing()).toEqual([basename(file)]);
    });

    it('a stale entry of ours (an older install) is updated in place', async () => {
      await write(fixtures.rich);
      const oldLaunch = launch;
      launch = { ...launch, args: [join(home, 'old', 'out', 'main', 'cli.js'), 'bridge'] };
      await client().connect();
      launch = oldLaunch;
      expect(await client().status()).toMatchObject({ entry: 'ours', current: false });
      expect(await client().connect()).toMatchObject({ action: 'updated' });
      expect(await client().status()).toMatchObject({ entry: 'ours', current: true, connected: true });
      await client().disconnect();
      expect(await text()).toBe(fixtures.rich);
    });
  });
}
