import { DaytonaFileNotFoundError } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';

// The toolbox's file search, file info and git add as Daytona's daemon answers them
// (apps/daemon/pkg/toolbox/fs/search_files.go, get_file_info.go), through the unmodified SDK.
describe('local provider: searchFiles, modTime and git.add as the daemon answers them', () => {
  let t: TestProvider;

  beforeAll(async () => {
    t = await startTestProvider();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('searchFiles matches folders by name too (the searched one included), and a missing folder has no matches', async () => {
    const sandbox = await t.daytona.create({ name: 'fid-search' });
    await sandbox.process.executeCommand('mkdir -p tests/unit/tests-data && touch tests/unit/a.py tests/tests.txt');
    expect((await sandbox.fs.searchFiles('tests', 'tests*')).files.sort()).toEqual([
      '/home/daytona/tests',
      '/home/daytona/tests/tests.txt',
      '/home/daytona/tests/unit/tests-data',
    ]);
    expect((await sandbox.fs.searchFiles('tests', 'unit')).files).toEqual(['/home/daytona/tests/unit']);
    expect((await sandbox.fs.searchFiles('no-such-folder', '*.py')).files).toEqual([]);
  });

  it("modTime is Go's time.String() of the same instant as modifiedAt", async () => {
    const sandbox = await t.daytona.create({ name: 'fid-modtime' });
    await sandbox.process.executeCommand(
      'touch -d "2024-01-15 10:30:45.125 UTC" stamp.txt && touch -d "2024-01-15 10:30:45 UTC" whole.txt',
    );
    const info = await sandbox.fs.getFileDetails('stamp.txt');
    expect(info.modTime).toBe('2024-01-15 10:30:45.125 +0000 UTC');
    expect(info.modifiedAt).toBe('2024-01-15T10:30:45.125Z');
    expect((await sandbox.fs.getFileDetails('whole.txt')).modTime).toBe('2024-01-15 10:30:45 +0000 UTC');
  });

  it('git.add of a missing path is "file not found", not "branch not found"', async () => {
    const sandbox = await t.daytona.create({ name: 'fid-git-add' });
    await sandbox.git.init('repo');
    const error = await sandbox.git.add('repo', ['missing.txt']).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DaytonaFileNotFoundError);
    expect((error as Error).message).toMatch(/missing\.txt/);
  });
});
