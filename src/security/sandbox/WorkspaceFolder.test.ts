import { mkdir, open, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFolderIn } from './makeFolderIn.js';
import { ANCHORINGS, exists, onVerify, refusal, tree, useFolderSite } from './test-support/folderSite.js';
import { openWorkspaceFolder, splitRelative } from './WorkspaceFolder.js';
import { writeFileIn } from './writeFileIn.js';

const linux = process.platform === 'linux';

describe.each(ANCHORINGS)('WorkspaceFolder (anchoring: %s)', (anchoring) => {
  const site = useFolderSite(anchoring);
  const anchored = anchoring === 'auto' && linux;

  it('walks to a folder from the workspace and names what is inside it', async () => {
    const { ws, open: openFolder } = site();
    const folder = await openFolder(['sub', 'deep']);
    expect(folder.anchored).toBe(anchored);
    expect(folder.workspace).toBe(ws);
    expect(await readFile(folder.entry('c.txt'), 'utf8')).toBe('gamma');
    expect(await readdir(folder.self())).toEqual(['c.txt']);
    expect((await folder.stat()).isDirectory()).toBe(true);
    const root = await openFolder([]);
    expect((await readdir(root.self())).sort()).toEqual(['a.txt', 'sub']);
  });

  it('creates missing folders on the way only when asked', async () => {
    const { ws, open: openFolder } = site();
    expect((await refusal(openFolder(['new', 'deeper']))).code).toBe('LA_PATH_NOT_FOUND');
    expect(await exists(join(ws, 'new'))).toBe(false);
    const folder = await openFolder(['new', 'deeper'], { create: true });
    await writeFile(folder.entry('x.txt'), 'x');
    expect(await readFile(join(ws, 'new', 'deeper', 'x.txt'), 'utf8')).toBe('x');
    // Existing folders are used as they are.
    await openFolder(['new', 'deeper'], { create: true });
  });

  it('never follows a link on the way, even one that stays inside', async () => {
    const { ws, outside, open: openFolder } = site();
    await symlink(join(ws, 'sub'), join(ws, 'inner'));
    await symlink(outside, join(ws, 'door'));
    for (const parts of [['inner'], ['door'], ['door', 'x']]) {
      expect((await refusal(openFolder(parts, { create: true }))).code, parts.join('/')).toBe('LA_PATH_INVALID');
    }
    expect(await tree(outside)).toEqual({ 'secret.txt': 'secret' });
  });

  it('refuses a file on the way, and names that are not one plain folder name', async () => {
    const { open: openFolder } = site();
    expect(await refusal(openFolder(['a.txt', 'x'], { create: true }))).toMatchObject({ code: 'LA_PATH_WRONG_TYPE', details: { actual: 'path below a file' } });
    const root = await openFolder([]);
    expect(await refusal(root.child('a.txt'))).toMatchObject({ code: 'LA_PATH_WRONG_TYPE', details: { expected: 'folder', actual: 'file' } });
    for (const parts of [['..'], ['.'], [''], ['sub/deep']]) {
      expect((await refusal(openFolder(parts))).code, JSON.stringify(parts)).toBe('LA_PATH_INVALID');
    }
  });

  it('refuses a workspace that is a link or a file', async () => {
    const { base, ws } = site();
    await symlink(ws, join(base, 'ws-link'));
    await writeFile(join(base, 'file'), 'f');
    expect((await refusal(openWorkspaceFolder(join(base, 'ws-link'), [], { shown: '.', anchoring }))).code).toBe('LA_PATH_INVALID');
    expect((await refusal(openWorkspaceFolder(join(base, 'file'), [], { shown: '.', anchoring }))).code).toBe('LA_PATH_WRONG_TYPE');
  });

  it('verify: passes in place, refuses a folder moved out of the workspace or removed', async () => {
    const { ws, outside, open: openFolder } = site();
    const folder = await openFolder(['sub']);
    const deep = await openFolder(['sub', 'deep']);
    await folder.verify();
    await rename(join(ws, 'sub'), join(outside, 'sub'));
    // Anchored, the kernel says where the held folder went; by path, the path now leads nowhere.
    expect((await refusal(folder.verify())).code).toBe(anchored ? 'LA_PATH_OUTSIDE_WORKSPACE' : 'LA_PATH_NOT_FOUND');
    // A link left in its place leads to the same folder, outside: refused both ways.
    await symlink(join(outside, 'sub'), join(ws, 'sub'));
    expect((await refusal(folder.verify())).code).toBe(anchored ? 'LA_PATH_OUTSIDE_WORKSPACE' : 'LA_PATH_INVALID');
    // Below it, the path still leads to the very same folder, but through the link: outside.
    expect((await refusal(deep.verify())).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
    await rm(join(outside, 'sub', 'deep'), { recursive: true });
    expect((await refusal(deep.verify())).code).toBe('LA_PATH_NOT_FOUND');
  });

  it('verify: a folder reached through a link that stays inside is not the folder that was checked', async () => {
    const { ws, open: openFolder } = site();
    const deep = await openFolder(['sub', 'deep']);
    await rename(join(ws, 'sub'), join(ws, 'sub2'));
    await symlink(join(ws, 'sub2'), join(ws, 'sub'));
    if (anchored) await deep.verify();
    else expect((await refusal(deep.verify())).code).toBe('LA_PATH_INVALID');
  });

  it('verify: a folder replaced by another one is still the held one (anchored) or refused (by path)', async () => {
    const { ws, open: openFolder } = site();
    const folder = await openFolder(['sub']);
    await rename(join(ws, 'sub'), join(ws, 'sub.old'));
    await mkdir(join(ws, 'sub'));
    if (anchored) {
      await folder.verify();
      await writeFile(folder.entry('new.txt'), 'n');
      expect(await exists(join(ws, 'sub.old', 'new.txt'))).toBe(true);
    } else {
      expect((await refusal(folder.verify())).code).toBe('LA_PATH_INVALID');
    }
  });

  it('verifyOpened: refuses a file that is no longer the one at its name inside the workspace', async () => {
    const { ws, outside, open: openFolder } = site();
    const folder = await openFolder(['sub']);
    const handle = await open(folder.entry('b.txt'), 'r');
    try {
      await folder.verifyOpened(handle, 'b.txt');
      await rename(join(ws, 'sub', 'b.txt'), join(outside, 'b.txt'));
      expect((await refusal(folder.verifyOpened(handle, 'b.txt'))).code).toBe(anchored ? 'LA_PATH_OUTSIDE_WORKSPACE' : 'LA_PATH_NOT_FOUND');
      await writeFile(join(ws, 'sub', 'b.txt'), 'another file');
      if (!anchored) expect((await refusal(folder.verifyOpened(handle, 'b.txt'))).code).toBe('LA_PATH_INVALID');
    } finally {
      await handle.close();
    }
  });

  it('a folder swapped for a link out after it was opened: nothing reaches the outside', async () => {
    const { ws, outside, open: openFolder } = site();
    const folder = await openFolder(['sub']);
    await rename(join(ws, 'sub'), join(ws, 'sub.real'));
    await symlink(outside, join(ws, 'sub'));
    if (anchored) {
      // Names are looked up in the held folder, which is still inside (renamed): the write lands there.
      await writeFileIn(folder, 'new.txt', 'n', { mode: 0o644 });
      expect(await readFile(join(ws, 'sub.real', 'new.txt'), 'utf8')).toBe('n');
    } else {
      expect((await refusal(writeFileIn(folder, 'new.txt', 'n', { mode: 0o644 }))).code).toBe('LA_PATH_INVALID');
    }
    expect(await tree(outside)).toEqual({ 'secret.txt': 'secret' });
  });

  it('syncs and changes the mode of the folder it holds', async () => {
    const { ws, open: openFolder } = site();
    const folder = await openFolder(['sub']);
    await folder.sync();
    await folder.chmod(0o700);
    expect((await stat(join(ws, 'sub'))).mode & 0o777).toBe(0o700);
  });

  it('makeFolderIn: creates once, and removes what it made when the folder left the workspace meanwhile', async () => {
    const { ws, outside, open: openFolder } = site();
    const folder = await openFolder(['sub']);
    expect(await makeFolderIn(folder, 'made')).toBe(true);
    expect(await makeFolderIn(folder, 'made')).toBe(false);
    const moving = onVerify(
      folder,
      () => exists(join(ws, 'sub', 'late')),
      () => rename(join(ws, 'sub'), join(outside, 'sub')),
    );
    expect(await refusal(makeFolderIn(moving, 'late'))).toBeDefined();
    // Through the handle the folder made is found in its new place and removed; by path it cannot be.
    if (anchored) expect(await exists(join(outside, 'sub', 'late'))).toBe(false);
  });
});

describe.runIf(linux)('WorkspaceFolder: the workspace itself', () => {
  const site = useFolderSite('auto');

  it('refuses a workspace path that does not name itself (a link on the way to it)', async () => {
    const { base, ws } = site();
    await symlink(base, join(base, 'alias'));
    const error = await refusal(openWorkspaceFolder(join(base, 'alias', 'ws'), [], { shown: '.' }));
    expect(error).toMatchObject({ code: 'LA_PATH_OUTSIDE_WORKSPACE', details: { resolved: ws } });
  });
});

describe('splitRelative', () => {
  it('splits a workspace-relative path into its folders and its name', () => {
    expect(splitRelative('a/b/c.txt')).toEqual({ parts: ['a', 'b'], name: 'c.txt' });
    expect(splitRelative('c.txt')).toEqual({ parts: [], name: 'c.txt' });
    expect(splitRelative('.')).toBeUndefined();
  });
});
