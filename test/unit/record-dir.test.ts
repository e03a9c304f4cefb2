import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RecordDir } from '../../main/local/record-dir.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const schema = z.object({ id: z.string(), name: z.string() });
type Item = z.infer<typeof schema>;

// The one way the local provider keeps records on disk (sandboxes' metadata, volumes, secrets' metadata).
describe('RecordDir', () => {
  let cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups) await cleanup();
    cleanups = [];
  });
  const fresh = async () => {
    const dir = await tempDir('daytona-tray-record-dir-');
    cleanups.push(dir.cleanup);
    return { path: dir.path, records: new RecordDir<Item>(dir.path, schema) };
  };

  it('loads what it saved, reports unreadable files and files named after another id, and removes stale temp files', async () => {
    const { path, records } = await fresh();
    await records.save({ id: 'a', name: 'first' });
    await writeFile(join(path, 'broken.json'), '{');
    await writeFile(join(path, 'b.json'), JSON.stringify({ id: 'c', name: 'misnamed' }));
    await writeFile(join(path, '.a.json.0123456789ab.daytona-tray.tmp'), 'half');
    const again = new RecordDir<Item>(path, schema);
    expect((await again.load()).sort()).toEqual(['b.json', 'broken.json']);
    expect(again.all()).toEqual([{ id: 'a', name: 'first' }]);
    expect((await readdir(path)).sort()).toEqual(['a.json', 'b.json', 'broken.json']);
  });

  it('writes each record as it is when its turn comes, and never brings a removed one back', async () => {
    const { path, records } = await fresh();
    const item = { id: 'a', name: 'one' };
    const first = records.save(item);
    item.name = 'two';
    await Promise.all([first, records.save(item)]);
    expect(JSON.parse(await readFile(join(path, 'a.json'), 'utf8'))).toEqual({ id: 'a', name: 'two' });
    const removing = records.remove('a');
    const late = records.save({ id: 'a', name: 'late' });
    records.add({ id: 'a', name: 'added' });
    await Promise.all([removing, late]);
    await records.flushed();
    expect(records.get('a')).toBeUndefined();
    expect(existsSync(join(path, 'a.json'))).toBe(false);
  });

  it('with visibleUntilGone, keeps the record visible until its file is gone, after `before` ran', async () => {
    const { path, records } = await fresh();
    await records.save({ id: 'a', name: 'one' });
    const seen: string[] = [];
    const removing = records.remove('a', {
      visibleUntilGone: true,
      before: async () => {
        seen.push(`before: file ${existsSync(join(path, 'a.json')) ? 'there' : 'gone'}, record ${records.get('a') ? 'visible' : 'gone'}`);
      },
    });
    expect(records.get('a')).toEqual({ id: 'a', name: 'one' });
    await removing;
    expect(seen).toEqual(['before: file there, record visible']);
    expect(records.get('a')).toBeUndefined();
    expect(existsSync(join(path, 'a.json'))).toBe(false);
  });
});
