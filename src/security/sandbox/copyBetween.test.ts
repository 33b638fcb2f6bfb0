import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, readFile, readlink, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyBetween } from './copyBetween.js';
import { ANCHORINGS, exists, onChild, onVerify, refusal, tree, useFolderSite } from './test-support/folderSite.js';

const linux = process.platform === 'linux';

describe.each(ANCHORINGS)('copyBetween (anchoring: %s)', (anchoring) => {
  const site = useFolderSite(anchoring);
  const anchored = anchoring === 'auto' && linux;

  it('copies a file with its mode, over a file, and over a link without writing through it', async () => {
    const { ws, outside, open } = site();
    await chmod(join(ws, 'a.txt'), 0o600);
    await symlink(join(outside, 'secret.txt'), join(ws, 'sub', 'trap'));
    const root = await open([]);
    const sub = await open(['sub']);
    await copyBetween(root, 'a.txt', sub, 'a-copy.txt');
    expect(await readFile(join(ws, 'sub', 'a-copy.txt'), 'utf8')).toBe('alpha');
    expect((await stat(join(ws, 'sub', 'a-copy.txt'))).mode & 0o777).toBe(0o600);
    await copyBetween(root, 'a.txt', sub, 'b.txt');
    await copyBetween(root, 'a.txt', sub, 'trap');
    expect(await readFile(join(ws, 'sub', 'b.txt'), 'utf8')).toBe('alpha');
    expect(await readFile(join(ws, 'sub', 'trap'), 'utf8')).toBe('alpha');
    expect(await tree(outside)).toEqual({ 'secret.txt': 'secret' });
  });

  it('copies a folder: files, folders and links as links; FIFOs skipped; merged into an existing folder', async () => {
    const { ws, open } = site();
    await symlink('b.txt', join(ws, 'sub', 'rel-link'));
    execFileSync('mkfifo', [join(ws, 'sub', 'pipe')]);
    await chmod(join(ws, 'sub'), 0o750);
    await mkdir(join(ws, 'merged'));
    await writeFile(join(ws, 'merged', 'kept.txt'), 'kept');
    await writeFile(join(ws, 'merged', 'b.txt'), 'old');
    const root = await open([]);
    await copyBetween(root, 'sub', root, 'copy');
    expect(await tree(join(ws, 'copy'))).toEqual({ 'b.txt': 'beta', deep: '/', 'deep/c.txt': 'gamma', 'rel-link': '-> b.txt' });
    expect((await stat(join(ws, 'copy'))).mode & 0o777).toBe(0o750);
    await copyBetween(root, 'sub', root, 'merged');
    expect(await tree(join(ws, 'merged'))).toEqual({ 'b.txt': 'beta', 'kept.txt': 'kept', deep: '/', 'deep/c.txt': 'gamma', 'rel-link': '-> b.txt' });
    // Copied again over itself: links are replaced by the new copy, not followed.
    await copyBetween(root, 'sub', root, 'copy');
    expect(await readlink(join(ws, 'copy', 'rel-link'))).toBe('b.txt');
  });

  it('refuses a device, FIFO or socket as the thing to copy', async () => {
    const { ws, open } = site();
    execFileSync('mkfifo', [join(ws, 'pipe')]);
    const root = await open([]);
    expect((await refusal(copyBetween(root, 'pipe', root, 'copy'))).code).toBe('LA_PATH_NOT_REGULAR');
  });

  it('a source folder swapped for a link to the outside just before it is opened: nothing of the outside comes in', async () => {
    const { ws, outside, open } = site();
    const root = await open([]);
    const from = onChild(root, async (name) => {
      await rename(join(ws, name), join(ws, `${name}.real`));
      await symlink(outside, join(ws, name));
    });
    expect((await refusal(copyBetween(from, 'sub', root, 'copy'))).code).toBe('LA_PATH_INVALID');
    expect(await exists(join(ws, 'copy', 'secret.txt'))).toBe(false);
  });

  it('a destination folder swapped for a link to the outside just before it is opened: nothing goes out', async () => {
    const { ws, outside, open } = site();
    const root = await open([]);
    const into = onChild(root, async (name) => {
      await rename(join(ws, name), join(ws, `${name}.real`));
      await symlink(outside, join(ws, name));
    });
    expect((await refusal(copyBetween(root, 'sub', into, 'copy'))).code).toBe('LA_PATH_INVALID');
    expect(await tree(outside)).toEqual({ 'secret.txt': 'secret' });
  });

  it('a link copied into a folder that moved out just after: the link placed there is removed', async () => {
    const { ws, outside, open } = site();
    await symlink('a.txt', join(ws, 'link'));
    await mkdir(join(ws, 'dst'));
    const root = await open([]);
    const dst = onVerify(
      await open(['dst']),
      () => exists(join(ws, 'dst', 'link')),
      () => rename(join(ws, 'dst'), join(outside, 'dst')),
    );
    await refusal(copyBetween(root, 'link', dst, 'link'));
    if (anchored) expect(await lstat(join(outside, 'dst', 'link')).catch(() => undefined)).toBeUndefined();
  });
});
