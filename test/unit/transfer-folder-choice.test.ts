import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkTransferFolder } from '../../main/app/transfer-folder-choice.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let home: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: home, cleanup } = await tempDir('transfer-folder-choice-'));
});
afterEach(async () => cleanup());

describe('checking the transfer folder the user typed', () => {
  it('takes a full path, a folder that does not exist yet, and ~/ as the home folder (normalised)', async () => {
    await mkdir(join(home, 'exists'));
    expect(await checkTransferFolder(` ${join(home, 'exists')}/ `, home)).toEqual({ ok: true, path: join(home, 'exists') });
    expect(await checkTransferFolder('~/Downloads/Daytona', home)).toEqual({ ok: true, path: join(home, 'Downloads', 'Daytona') });
    expect(await checkTransferFolder('/tmp/../srv/exchange', home)).toEqual({ ok: true, path: '/srv/exchange' });
  });

  it.each([
    ['Downloads', 'is not a full path: give the folder from the top'],
    ['~', 'holds your home folder'],
    ['~/', 'holds your home folder'],
    ['/', 'holds your home folder'],
  ])('refuses %j: %s', async (typed, reason) => {
    const checked = await checkTransferFolder(typed, home);
    expect(checked).toMatchObject({ ok: false, message: expect.stringContaining(reason) });
  });

  it('refuses a folder holding the home folder, and a file', async () => {
    expect(await checkTransferFolder(join(home, '..'), home)).toMatchObject({
      ok: false,
      message: expect.stringContaining('holds your home folder'),
    });
    await writeFile(join(home, 'notes.txt'), 'x');
    expect(await checkTransferFolder(join(home, 'notes.txt'), home)).toEqual({
      ok: false,
      message: `${join(home, 'notes.txt')} is a file, not a folder. Choose a folder.`,
    });
  });
});
