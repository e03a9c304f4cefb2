import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  DaytonaGitAuthFailedError,
  DaytonaGitBranchExistsError,
  DaytonaGitBranchNotFoundError,
  DaytonaGitMergeConflictError,
  DaytonaGitPushRejectedError,
  DaytonaGitRepoNotFoundError,
  DaytonaGitTransportFailedError,
  type Sandbox,
} from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitDaemon, type GitDaemon } from '../helpers/git-daemon.ts';
import { startTestProviderWithEnv, type TestProvider } from '../helpers/local-provider.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { bubblewrapSkipReason, skipNow } from '../helpers/skip.ts';

const AUTHOR = { name: 'Host Dev', email: 'host@example.test' };

describe('local provider: toolbox git through the unmodified SDK, against a git daemon on 127.0.0.1', () => {
  let t: TestProvider;
  let sandbox: Sandbox;
  let daemon: GitDaemon;
  let dir: { path: string; cleanup: () => Promise<void> };
  let bare: string;
  let work: string;

  /** git on the host (the "elsewhere" that commits and pushes), never reading the host user's config. */
  const hostGit = (args: string[], cwd = work) =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: dir.path,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: AUTHOR.name,
        GIT_AUTHOR_EMAIL: AUTHOR.email,
        GIT_COMMITTER_NAME: AUTHOR.name,
        GIT_COMMITTER_EMAIL: AUTHOR.email,
      },
    }).trim();
  const hostCommit = (file: string, content: string, message: string) => {
    writeFileSync(join(work, file), content);
    hostGit(['add', file]);
    hostGit(['commit', '-q', '-m', message]);
    hostGit(['push', '-q', 'origin', 'HEAD']);
    return hostGit(['rev-parse', 'HEAD']);
  };
  const sh = async (command: string, cwd = 'repo') => {
    const response = await sandbox.process.executeCommand(command, cwd);
    expect(response.exitCode, response.result).toBe(0);
    return response.result.trim();
  };

  beforeAll(async () => {
    dir = await tempDir('daytona-tray-git-');
    bare = join(dir.path, 'served', 'project.git');
    work = join(dir.path, 'host-work');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    execFileSync('git', ['clone', '-q', bare, work], { stdio: 'ignore' });
    hostGit(['symbolic-ref', 'HEAD', 'refs/heads/main']);
    hostCommit('README.md', '# project\n', 'initial');
    hostGit(['checkout', '-q', '-b', 'feature']);
    hostCommit('feature.txt', 'feature work\n', 'feature');
    hostGit(['checkout', '-q', 'main']);
    daemon = await startGitDaemon(join(dir.path, 'served'));
    // The git daemon listens on the host's loopback, which a sandbox with a network of its own cannot
    // reach (test/integration/local-network.test.ts): these sandboxes share the host's network.
    t = await startTestProviderWithEnv({ DAYTONA_TRAY_NO_NETNS: '1' });
    sandbox = await t.daytona.create({ name: 'git-sb' });
  });
  afterAll(async () => {
    await t?.stop();
    await daemon?.stop();
    await dir?.cleanup();
  });

  it('clones the default branch and reports a clean, published status', async () => {
    await sandbox.git.clone(daemon.url('project.git'), 'repo');
    const status = await sandbox.git.status('repo');
    expect(status).toMatchObject({ currentBranch: 'main', ahead: 0, behind: 0, branchPublished: true, fileStatus: [] });
    expect(await sh('cat README.md')).toBe('# project');
    // The remote URL is the one given (no credentials were ever written into it).
    expect(await sh('git remote get-url origin')).toBe(daemon.url('project.git'));
  });

  it('clones a given branch', async () => {
    await sandbox.git.clone(daemon.url('project.git'), '/home/daytona/repo-feature', 'feature');
    expect((await sandbox.git.status('repo-feature')).currentBranch).toBe('feature');
    expect(await sh('cat feature.txt', 'repo-feature')).toBe('feature work');
  });

  it('clones at a given commit (detached)', async () => {
    const first = hostGit(['rev-list', '--max-parents=0', 'HEAD']);
    await sandbox.git.clone(daemon.url('project.git'), 'repo-at-commit', undefined, first);
    const status = await sandbox.git.status('repo-at-commit');
    expect(status).toMatchObject({ currentBranch: 'HEAD', detached: true });
    expect(await sh('git rev-parse HEAD', 'repo-at-commit')).toBe(first);
  });

  it("cannot clone a host path: the sandbox does not see the host's files (file:// fails)", async (ctx) => {
    if (t.provider.isolation === 'none')
      skipNow(
        ctx,
        `without bubblewrap the sandbox sees host paths: ${bubblewrapSkipReason() ?? 'the provider runs without isolation'}`,
        'bubblewrap',
      );
    const error = await sandbox.git.clone(`file://${bare}`, 'stolen').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaytonaGitRepoNotFoundError);
    expect(error).toMatchObject({ statusCode: 404, code: 'GIT_REPO_NOT_FOUND' });
    expect((await sandbox.process.executeCommand('test -e stolen')).exitCode).not.toBe(0);
  });

  it('reports file statuses, stages, commits (returning the sha) and counts commits ahead', async () => {
    await sh('printf "# project\\nedited in the sandbox\\n" > README.md && mkdir docs && echo new > docs/new.txt');
    const dirty = await sandbox.git.status('repo');
    const byName = Object.fromEntries(dirty.fileStatus.map((f) => [f.name, f]));
    expect(byName['README.md']).toMatchObject({ staging: 'Unmodified', worktree: 'Modified' });
    expect(byName['docs/new.txt']).toMatchObject({ staging: 'Untracked', worktree: 'Untracked' });

    await sandbox.git.add('repo', ['README.md', 'docs/new.txt']);
    const staged = Object.fromEntries((await sandbox.git.status('repo')).fileStatus.map((f) => [f.name, f]));
    expect(staged['README.md']).toMatchObject({ staging: 'Modified', worktree: 'Unmodified' });
    expect(staged['docs/new.txt']).toMatchObject({ staging: 'Added', worktree: 'Unmodified' });

    const { sha } = await sandbox.git.commit('repo', 'edit from the sandbox', 'Sandbox Dev', 'sandbox@example.test');
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await sh('git rev-parse HEAD')).toBe(sha);
    expect(await sh('git log -1 --format="%an <%ae> %s"')).toBe('Sandbox Dev <sandbox@example.test> edit from the sandbox');
    expect(await sandbox.git.status('repo')).toMatchObject({ currentBranch: 'main', ahead: 1, behind: 0, fileStatus: [] });
    // Nothing staged: a clear 400, not a silent empty commit.
    await expect(sandbox.git.commit('repo', 'nothing', 'Sandbox Dev', 'sandbox@example.test')).rejects.toMatchObject({ statusCode: 400 });
    const empty = await sandbox.git.commit('repo', 'empty on purpose', 'Sandbox Dev', 'sandbox@example.test', true);
    expect(empty.sha).not.toBe(sha);
    expect((await sandbox.git.status('repo')).ahead).toBe(2);
  });

  it('pushes to the local remote', async () => {
    const head = await sh('git rev-parse HEAD');
    await sandbox.git.push('repo');
    expect(hostGit(['--git-dir', bare, 'rev-parse', 'main'], dir.path)).toBe(head);
    expect((await sandbox.git.status('repo')).ahead).toBe(0);
  });

  it('sees commits made elsewhere as behind after a fetch, and pulls them', async () => {
    hostGit(['pull', '-q', '--ff-only', 'origin', 'main']);
    const theirs = hostCommit('from-host.txt', 'made on the host\n', 'host commit');
    await sh('git fetch -q origin');
    expect(await sandbox.git.status('repo')).toMatchObject({ ahead: 0, behind: 1 });
    await sandbox.git.pull('repo');
    expect(await sh('git rev-parse HEAD')).toBe(theirs);
    expect(await sh('cat from-host.txt')).toBe('made on the host');
    expect(await sandbox.git.status('repo')).toMatchObject({ ahead: 0, behind: 0 });
  });

  it('lists, creates (and switches to), checks out and deletes branches', async () => {
    expect(await sandbox.git.branches('repo')).toMatchObject({ branches: ['main'] });
    await sandbox.git.createBranch('repo', 'topic/one');
    expect((await sandbox.git.status('repo')).currentBranch).toBe('topic/one');
    expect((await sandbox.git.branches('repo')).branches.sort()).toEqual(['main', 'topic/one']);
    await expect(sandbox.git.createBranch('repo', 'topic/one')).rejects.toBeInstanceOf(DaytonaGitBranchExistsError);

    await sandbox.git.checkoutBranch('repo', 'main');
    expect((await sandbox.git.status('repo')).currentBranch).toBe('main');
    // A branch that exists only on the remote is checked out as a tracking branch.
    await sandbox.git.checkoutBranch('repo', 'feature');
    expect(await sandbox.git.status('repo')).toMatchObject({ currentBranch: 'feature', branchPublished: true, upstream: 'origin/feature' });
    await sandbox.git.checkoutBranch('repo', 'main');

    const missing = await sandbox.git.checkoutBranch('repo', 'no-such-branch').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DaytonaGitBranchNotFoundError);
    expect(missing).toMatchObject({ statusCode: 404, code: 'GIT_BRANCH_NOT_FOUND' });

    await sandbox.git.deleteBranch('repo', 'topic/one');
    expect((await sandbox.git.branches('repo')).branches).not.toContain('topic/one');
    await expect(sandbox.git.deleteBranch('repo', 'topic/one')).rejects.toBeInstanceOf(DaytonaGitBranchNotFoundError);
    await expect(sandbox.git.deleteBranch('repo', 'main')).rejects.toMatchObject({ statusCode: 409 });
    await expect(sandbox.git.createBranch('repo', '--force')).rejects.toMatchObject({ statusCode: 400 });
  });

  it('checks out a commit by hash (detached), like the daemon', async () => {
    const first = hostGit(['rev-list', '--max-parents=0', 'HEAD']);
    await sandbox.git.checkoutBranch('repo', first.slice(0, 12));
    expect(await sandbox.git.status('repo')).toMatchObject({ currentBranch: 'HEAD', detached: true });
    await sandbox.git.checkoutBranch('repo', 'main');
  });

  it('rejects a push behind the remote (GIT_PUSH_REJECTED) and a pull that cannot fast-forward (GIT_MERGE_CONFLICT)', async () => {
    hostCommit('race.txt', 'host wins\n', 'host races ahead');
    await sh('echo sandbox > sandbox-side.txt');
    await sandbox.git.add('repo', ['.']);
    await sandbox.git.commit('repo', 'sandbox diverges', 'Sandbox Dev', 'sandbox@example.test');
    const rejected = await sandbox.git.push('repo').catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(DaytonaGitPushRejectedError);
    expect(rejected).toMatchObject({ statusCode: 409, code: 'GIT_PUSH_REJECTED' });
    const diverged = await sandbox.git.pull('repo').catch((e: unknown) => e);
    expect(diverged).toBeInstanceOf(DaytonaGitMergeConflictError);
    expect(diverged).toMatchObject({ statusCode: 409 });
  });

  it('answers status on a non-repository or a missing folder with 404 GIT_REPO_NOT_FOUND', async () => {
    await sh('mkdir -p plain-dir', '.');
    for (const path of ['plain-dir', 'does/not/exist']) {
      const error = await sandbox.git.status(path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DaytonaGitRepoNotFoundError);
      expect(error).toMatchObject({ statusCode: 404, code: 'GIT_REPO_NOT_FOUND' });
    }
    const unknownRemote = await sandbox.git.clone(daemon.url('nope.git'), 'nope').catch((e: unknown) => e);
    expect(unknownRemote).toBeInstanceOf(DaytonaGitRepoNotFoundError);
    await expect(sandbox.git.status('/etc')).rejects.toMatchObject({ statusCode: 403 });
  });

  it('cannot reach the git daemon from a sandbox whose network is blocked (GIT_TRANSPORT_FAILED)', async (ctx) => {
    if (t.provider.isolation === 'none')
      skipNow(
        ctx,
        `without bubblewrap networkBlockAll is not enforced: ${bubblewrapSkipReason() ?? 'the provider runs without isolation'}`,
        'bubblewrap',
      );
    const offline = await t.daytona.create({ name: 'git-offline', networkBlockAll: true });
    const error = await offline.git.clone(daemon.url('project.git'), 'repo').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaytonaGitTransportFailedError);
    expect(error).toMatchObject({ statusCode: 502 });
  });

  it('inits a repository, configures the user, adds a remote and publishes a first branch to it', async () => {
    const fresh = join(dir.path, 'served', 'fresh.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'trunk', fresh]);
    await sandbox.git.init('fresh', false, 'trunk');
    expect((await sandbox.git.status('fresh')).currentBranch).toBe('trunk');
    await sandbox.git.configureUser('Config User', 'config@example.test', 'local', 'fresh');
    expect(await sandbox.git.getConfig('user.name', 'local', 'fresh')).toBe('Config User');
    expect(await sandbox.git.getConfig('no.such-key', 'local', 'fresh')).toBeNull();
    await sandbox.git.setConfig('core.autocrlf', 'false');
    expect(await sandbox.git.getConfig('core.autocrlf')).toBe('false');
    await expect(sandbox.git.setConfig('core.autocrlf', 'true', 'system')).rejects.toMatchObject({ statusCode: 400 });

    await sandbox.git.remoteAdd('fresh', 'origin', daemon.url('fresh.git'));
    expect(await sandbox.git.remotes('fresh')).toEqual({ remotes: [{ name: 'origin', url: daemon.url('fresh.git') }] });
    await expect(sandbox.git.remoteAdd('fresh', 'origin', 'git://127.0.0.1:1/other.git')).rejects.toMatchObject({ statusCode: 409 });
    await sandbox.git.remoteAdd('fresh', 'origin', daemon.url('fresh.git'), true, true);

    await sh('echo first > first.txt', 'fresh');
    await sandbox.git.add('fresh', ['.']);
    const { sha } = await sandbox.git.commit('fresh', 'first', 'Config User', 'config@example.test');
    await sandbox.git.push('fresh', undefined, undefined, undefined, undefined, true);
    expect(hostGit(['--git-dir', fresh, 'rev-parse', 'trunk'], dir.path)).toBe(sha);
    expect(await sandbox.git.status('fresh')).toMatchObject({ branchPublished: true, upstream: 'origin/trunk', ahead: 0 });
  });

  describe('credentials over http', () => {
    let server: Server;
    const seen: string[] = [];
    beforeAll(async () => {
      // Always 401: records what git sent, so the test sees the credentials arrive and the failure typed.
      server = createServer((req, res) => {
        seen.push(req.headers.authorization ?? '');
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"', 'Content-Type': 'text/plain' }).end('denied');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it("sends username/password through git's credential helper and maps a refusal to GIT_AUTH_FAILED without echoing the secret", async () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/secret.git`;
      const password = 'pa55-word-do-not-leak';
      const error = await sandbox.git.clone(url, 'private', undefined, undefined, 'robot', password).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DaytonaGitAuthFailedError);
      expect(error).toMatchObject({ statusCode: 401, code: 'GIT_AUTH_FAILED' });
      expect(String((error as Error).message)).not.toContain(password);
      expect(seen).toContain(`Basic ${Buffer.from(`robot:${password}`).toString('base64')}`);
      // Without credentials git cannot prompt: the same typed error, at once.
      await expect(sandbox.git.clone(url, 'private')).rejects.toBeInstanceOf(DaytonaGitAuthFailedError);
    });
  });
});
