import { DaytonaError, type Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';

const AUTHOR = ['Sandbox Dev', 'dev@example.test'] as const;

// git.reset, git.restore, the commit history and git.dangerouslyAuthenticate through the unmodified SDK, on a repository made
// inside the sandbox.
describe('local provider: git reset, restore, history and stored credentials', () => {
  let t: TestProvider;
  let sandbox: Sandbox;
  const repo = '/home/daytona/repo';
  const read = async (file: string) => (await sandbox.fs.downloadFile(`${repo}/${file}`)).toString();
  const write = (file: string, content: string) => sandbox.fs.uploadFile(Buffer.from(content), `${repo}/${file}`);
  const commit = async (file: string, content: string, message: string) => {
    await write(file, content);
    await sandbox.git.add(repo, [file]);
    return (await sandbox.git.commit(repo, message, ...AUTHOR)).sha;
  };
  // The SDK's Git class has no history method: the toolbox route it is generated from (GitApi.getCommitHistory).
  const history = async () => {
    const response = await t.request(`/toolbox/${sandbox.id}/git/history?path=${encodeURIComponent(repo)}`);
    expect(response.status).toBe(200);
    return (await response.json()) as { hash: string; author: string; email: string; message: string; timestamp: string }[];
  };
  const staged = async () =>
    (await sandbox.git.status(repo)).fileStatus
      .filter((file) => file.staging !== 'Unmodified' && file.staging !== 'Untracked')
      .map((f) => f.name);

  beforeAll(async () => {
    t = await startTestProvider();
    sandbox = await t.daytona.create({ name: 'git-history' });
    await sandbox.git.init(repo, false, 'main');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('lists the history from HEAD, newest first, with author, email, message and time', async () => {
    const first = await commit('a.txt', 'one\n', 'first commit');
    const second = await commit('a.txt', 'two\n', 'second commit\n\nwith a body');
    const log = await history();
    expect(log.map((c) => c.hash)).toEqual([second, first]);
    expect(log[0]).toMatchObject({ author: AUTHOR[0], email: AUTHOR[1], message: 'second commit\n\nwith a body\n' });
    expect(Date.parse(log[0]!.timestamp)).not.toBeNaN();
  });

  it('resets: mixed unstages, hard discards, soft moves HEAD keeping the changes staged', async () => {
    await write('a.txt', 'changed\n');
    await sandbox.git.add(repo, ['a.txt']);
    expect(await staged()).toEqual(['a.txt']);
    await sandbox.git.reset(repo);
    expect(await staged()).toEqual([]);
    expect(await read('a.txt')).toBe('changed\n');

    await sandbox.git.reset(repo, 'hard');
    expect(await read('a.txt')).toBe('two\n');

    const before = await history();
    await sandbox.git.reset(repo, 'soft', 'HEAD~1');
    const after = await history();
    expect(after.map((c) => c.hash)).toEqual([before[1]!.hash]);
    expect(await staged()).toEqual(['a.txt']);
    expect(await read('a.txt')).toBe('two\n');
    await sandbox.git.commit(repo, 'second again', ...AUTHOR);

    // A hard reset of one file (git itself refuses paths with --hard; Daytona's daemon does it).
    await write('a.txt', 'dirty\n');
    await write('b.txt', 'untracked stays\n');
    await sandbox.git.reset(repo, 'hard', undefined, ['a.txt']);
    expect(await read('a.txt')).toBe('two\n');
    expect(await read('b.txt')).toBe('untracked stays\n');
    await expect(sandbox.git.reset(repo, 'hard', 'no-such-commit')).rejects.toBeInstanceOf(DaytonaError);
  });

  it('restores files: the worktree by default, the index with staged, and from another commit with source', async () => {
    await write('a.txt', 'edited\n');
    await sandbox.git.restore(repo, ['a.txt']);
    expect(await read('a.txt')).toBe('two\n');

    await write('a.txt', 'staged edit\n');
    await sandbox.git.add(repo, ['a.txt']);
    await sandbox.git.restore(repo, ['a.txt'], true);
    expect(await staged()).toEqual([]);
    expect(await read('a.txt')).toBe('staged edit\n');

    await sandbox.git.restore(repo, ['a.txt'], false, true, 'HEAD~1');
    expect(await read('a.txt')).toBe('one\n');
    await expect(sandbox.git.restore(repo, ['a.txt'], false, false)).rejects.toThrow(/Nothing to restore/);
  });

  it('stores credentials (dangerouslyAuthenticate) where later git commands in the sandbox find them', async () => {
    await sandbox.git.dangerouslyAuthenticate('robot', 's3cret-token', 'git.example.test');
    const fill = await sandbox.process.executeCommand("printf 'protocol=https\\nhost=git.example.test\\n\\n' | git credential fill");
    expect(fill.exitCode, fill.result).toBe(0);
    expect(fill.result).toContain('username=robot');
    expect(fill.result).toContain('password=s3cret-token');
    await expect(sandbox.git.dangerouslyAuthenticate('robot', 'two\nlines')).rejects.toBeInstanceOf(DaytonaError);
  });
});
