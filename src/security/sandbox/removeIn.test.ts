import { rename, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeIn } from './removeIn.js';
import { ANCHORINGS, exists, onChild, onVerify, refusal, tree, useFolderSite } from './test-support/folderSite.js';

describe.each(ANCHORINGS)('removeIn (anchoring: %s)', (anchoring) => {
  const site = useFolderSite(anchoring);

  it('removes a file, a link itself (not what it points to) and a whole folder, links inside included', async () => {
    const { ws, outside, open } = site();
    await symlink(join(outside, 'secret.txt'), join(ws, 'leak'));
    await symlink(outside, join(ws, 'sub', 'deep', 'door'));
    const root = await open([]);
    await removeIn(root, 'a.txt');
    await removeIn(root, 'leak');
    await removeIn(root, 'sub');
    expect(await tree(ws)).toEqual({});
    expect(await tree(outside)).toEqual({ 'secret.txt': 'secret' });
  });

  it('a folder in the tree swapped for a link to the outside just before it is opened: refused, the outside untouched', async () => {
    const { ws, outside, open } = site();
    const root = onChild(await open([]), async (name) => {
      await rename(join(ws, name), join(ws, `${name}.real`));
      await symlink(outside, join(ws, name));
    });
    expect((await refusal(removeIn(root, 'sub'))).code).toBe('LA_PATH_INVALID');
    expect(await tree(outside)).toEqual({ 'secret.txt': 'secret' });
  });

  it('an entry removed by someone else meanwhile is fine', async () => {
    const { ws, open } = site();
    const root = onChild(
      await open([]),
      () => Promise.resolve(),
      (inner) =>
        onVerify(
          inner,
          () => exists(join(ws, 'sub', 'b.txt')),
          () => unlink(join(ws, 'sub', 'b.txt')),
        ),
    );
    await removeIn(root, 'sub');
    expect(await exists(join(ws, 'sub'))).toBe(false);
  });
});
