import { statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readlink, realpath, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moveBetween } from './moveBetween.js';
import { ANCHORINGS, exists, onVerify, refusal, tree, useFolderSite } from './test-support/folderSite.js';
import { openWorkspaceFolder } from './WorkspaceFolder.js';

const linux = process.platform === 'linux';
/** Another file system to move to (a tmpfs on most Linux machines), standing in for a mount inside the workspace. */
const otherFileSystem = ['/dev/shm'].find((dir) => {
  try {
    return statSync(dir).isDirectory() && statSync(dir).dev !== statSync(tmpdir()).dev;
  } catch {
    return false;
  }
});

describe.each(ANCHORINGS)('moveBetween (anchoring: %s)', (anchoring) => {
  const site = useFolderSite(anchoring);
  const anchored = anchoring === 'auto' && linux;

  it('renames within a folder and across folders; a link moves itself and one at the destination is replaced', async () => {
    const { ws, outside, open } = site();
    await symlink(join(outside, 'secret.txt'), join(ws, 'leak'));
    await symlink(join(outside, 'secret.txt'), join(ws, 'sub', 'trap'));
    const root = await open([]);
    const sub = await open(['sub']);
    await moveBetween(root, 'a.txt', root, 'renamed.txt');
    await moveBetween(root, 'renamed.txt', sub, 'trap');
    await moveBetween(root, 'leak', sub, 'leak');
    expect(await readFile(join(ws, 'sub', 'trap'), 'utf8')).toBe('alpha');
    expect(await readlink(join(ws, 'sub', 'leak'))).toBe(join(outside, 'secret.txt'));
    expect(await tree(outside)).toEqual({ 'secret.txt': 'secret' });
  });

  it('the destination folder moved out just after the rename: the item is moved back', async () => {
    const { ws, outside, open } = site();
    await mkdir(join(ws, 'dst'));
    const root = await open([]);
    const dst = onVerify(
      await open(['dst']),
      () => exists(join(ws, 'dst', 'a.txt')),
      () => rename(join(ws, 'dst'), join(outside, 'dst')),
    );
    await refusal(moveBetween(root, 'a.txt', dst, 'a.txt'));
    if (anchored) {
      expect(await readFile(join(ws, 'a.txt'), 'utf8')).toBe('alpha');
      expect(await tree(outside)).toEqual({ 'secret.txt': 'secret', dst: '/' });
    }
  });

  it.runIf(otherFileSystem !== undefined)('across file systems: copies, then removes the original', async () => {
    const { ws, open } = site();
    const elsewhere = await realpath(await mkdtemp(join(otherFileSystem ?? tmpdir(), 'la-move-')));
    try {
      const into = await openWorkspaceFolder(elsewhere, [], { shown: 'moved', anchoring });
      try {
        await moveBetween(await open([]), 'sub', into, 'moved');
      } finally {
        await into.close();
      }
      expect(await tree(join(elsewhere, 'moved'))).toEqual({ 'b.txt': 'beta', deep: '/', 'deep/c.txt': 'gamma' });
      expect(await exists(join(ws, 'sub'))).toBe(false);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});
