import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsyncDir, writeFileAtomic } from './writeFileAtomic.js';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'la-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a private file and replaces an existing one', async () => {
    const file = join(dir, 'a.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, Buffer.from('two'));
    expect(await readFile(file, 'utf8')).toBe('two');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['a.json']);
  });

  it('honours a requested mode and can skip fsync', async () => {
    const file = join(dir, 'b.txt');
    await writeFileAtomic(file, 'x', { mode: 0o640, fsync: false });
    expect((await stat(file)).mode & 0o777).toBe(0o640);
  });

  it('leaves the old content and no temporary file when it fails before the rename', async () => {
    const file = join(dir, 'vault.json');
    await writeFile(file, 'old');
    let seenTemp = '';
    await expect(
      writeFileAtomic(file, 'new', {
        beforeRename: async (temp) => {
          seenTemp = temp;
          expect(await readFile(temp, 'utf8')).toBe('new');
          throw new Error('injected crash');
        },
      }),
    ).rejects.toMatchObject({ code: 'LA_STORAGE', message: expect.stringContaining('injected crash') });
    expect(seenTemp).toContain('.vault.json.');
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['vault.json']);
  });

  it('reports a folder that does not exist as LA_STORAGE', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'x'), 'x')).rejects.toMatchObject({ code: 'LA_STORAGE' });
  });

  it('fsyncDir tolerates a path it cannot open', async () => {
    await expect(fsyncDir(join(dir, 'nope'))).resolves.toBeUndefined();
  });
});
