import { chmod, readdir, readFile, rename, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANCHORINGS, exists, onVerify, refusal, tree, useFolderSite } from './test-support/folderSite.js';
import { replaceFileIn, writeFileIn } from './writeFileIn.js';

const linux = process.platform === 'linux';

describe.each(ANCHORINGS)('writeFileIn (anchoring: %s)', (anchoring) => {
  const site = useFolderSite(anchoring);
  const anchored = anchoring === 'auto' && linux;

  it('creates a file with the mode asked, replaces one keeping its mode when asked, leaves no temporary file', async () => {
    const { ws, open } = site();
    const folder = await open(['sub']);
    await writeFileIn(folder, 'new.txt', 'new', { mode: 0o640 });
    expect(await readFile(join(ws, 'sub', 'new.txt'), 'utf8')).toBe('new');
    expect((await stat(join(ws, 'sub', 'new.txt'))).mode & 0o777).toBe(0o640);
    await chmod(join(ws, 'sub', 'b.txt'), 0o600);
    await writeFileIn(folder, 'b.txt', 'replaced', { mode: 0o644, keepMode: true, sync: false });
    expect(await readFile(join(ws, 'sub', 'b.txt'), 'utf8')).toBe('replaced');
    expect((await stat(join(ws, 'sub', 'b.txt'))).mode & 0o777).toBe(0o600);
    await writeFileIn(folder, 'b.txt', 'again', { mode: 0o644 });
    expect((await stat(join(ws, 'sub', 'b.txt'))).mode & 0o777).toBe(0o644);
    expect((await readdir(join(ws, 'sub'))).sort()).toEqual(['b.txt', 'deep', 'new.txt']);
  });

  it('replaces a link at the name instead of writing through it, and refuses a folder', async () => {
    const { ws, outside, open } = site();
    await symlink(join(outside, 'secret.txt'), join(ws, 'sub', 'trap'));
    const folder = await open(['sub']);
    await writeFileIn(folder, 'trap', 'mine', { mode: 0o644, keepMode: true });
    expect(await readFile(join(ws, 'sub', 'trap'), 'utf8')).toBe('mine');
    expect((await refusal(writeFileIn(folder, 'deep', 'x', { mode: 0o644 }))).code).toBe('LA_PATH_WRONG_TYPE');
    expect(await tree(outside)).toEqual({ 'secret.txt': 'secret' });
  });

  it('leaves the old file and no temporary file when filling fails', async () => {
    const { ws, open } = site();
    const folder = await open(['sub']);
    await expect(replaceFileIn(folder, 'b.txt', () => Promise.reject(new Error('disk full')), { mode: 0o644 })).rejects.toThrow('disk full');
    expect(await readFile(join(ws, 'sub', 'b.txt'), 'utf8')).toBe('beta');
    expect((await readdir(join(ws, 'sub'))).sort()).toEqual(['b.txt', 'deep']);
  });

  it('the folder moved out of the workspace before the write: nothing is left there', async () => {
    const { ws, outside, open } = site();
    const folder = await open(['sub']);
    await rename(join(ws, 'sub'), join(outside, 'sub'));
    if (anchored) {
      // The temporary file is made in the held folder, found outside, and removed before a byte is written.
      expect((await refusal(writeFileIn(folder, 'new.txt', 'n', { mode: 0o644 }))).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
    } else {
      // By path the folder is simply gone: the create fails with the operating system's error.
      await expect(writeFileIn(folder, 'new.txt', 'n', { mode: 0o644 })).rejects.toMatchObject({ code: 'ENOENT' });
    }
    expect((await readdir(join(outside, 'sub'))).sort()).toEqual(['b.txt', 'deep']);
  });

  it('the folder moved out of the workspace just after the rename: the file placed there is removed', async () => {
    const { ws, outside, open } = site();
    const folder = onVerify(
      await open(['sub']),
      () => exists(join(ws, 'sub', 'new.txt')),
      () => rename(join(ws, 'sub'), join(outside, 'sub')),
    );
    const error = await refusal(writeFileIn(folder, 'new.txt', 'n', { mode: 0o644 }));
    expect(error.code).toBe(anchored ? 'LA_PATH_OUTSIDE_WORKSPACE' : 'LA_PATH_NOT_FOUND');
    // By path the moved folder cannot be found again to clean up: that is the fallback's residual risk.
    if (anchored) expect((await readdir(join(outside, 'sub'))).sort()).toEqual(['b.txt', 'deep']);
  });

  it('passes the refusal of the operating system through, leaving nothing behind', async () => {
    const { ws, open } = site();
    const folder = await open(['sub']);
    await expect(writeFileIn(folder, 'x'.repeat(300), 'n', { mode: 0o644 })).rejects.toMatchObject({ code: 'ENAMETOOLONG' });
    expect((await readdir(join(ws, 'sub'))).sort()).toEqual(['b.txt', 'deep']);
  });
});
