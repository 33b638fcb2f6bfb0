import { readFile, rename, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendFileIn } from './appendFileIn.js';
import { ANCHORINGS, exists, onVerify, refusal, tree, useFolderSite } from './test-support/folderSite.js';

const linux = process.platform === 'linux';

describe.each(ANCHORINGS)('appendFileIn (anchoring: %s)', (anchoring) => {
  const site = useFolderSite(anchoring);
  const anchored = anchoring === 'auto' && linux;

  it('appends to a file, creating it with the mode asked when missing', async () => {
    const { ws, open } = site();
    const folder = await open(['sub']);
    await appendFileIn(folder, 'b.txt', '+1', 0o644);
    expect(await readFile(join(ws, 'sub', 'b.txt'), 'utf8')).toBe('beta+1');
    await appendFileIn(folder, 'log', 'one\n', 0o640);
    await appendFileIn(folder, 'log', 'two\n', 0o640);
    expect(await readFile(join(ws, 'sub', 'log'), 'utf8')).toBe('one\ntwo\n');
    expect((await stat(join(ws, 'sub', 'log'))).mode & 0o777).toBe(0o640);
  });

  it('refuses a link at the name: the file it points to is not touched', async () => {
    const { ws, outside, open } = site();
    await symlink(join(outside, 'secret.txt'), join(ws, 'sub', 'trap'));
    await symlink(join(outside, 'planted.txt'), join(ws, 'sub', 'dangling'));
    const folder = await open(['sub']);
    expect((await refusal(appendFileIn(folder, 'trap', 'x', 0o644))).code).toBe('LA_PATH_INVALID');
    expect((await refusal(appendFileIn(folder, 'dangling', 'x', 0o644))).code).toBe('LA_PATH_INVALID');
    expect(await tree(outside)).toEqual({ 'secret.txt': 'secret' });
  });

  it('the folder moved out while appending to an existing file: the file is cut back to what it was', async () => {
    const { ws, outside, open } = site();
    const folder = onVerify(
      await open(['sub']),
      async () => (await readFile(join(ws, 'sub', 'b.txt'), 'utf8')) !== 'beta',
      () => rename(join(ws, 'sub'), join(outside, 'sub')),
    );
    await refusal(appendFileIn(folder, 'b.txt', ' and more', 0o644));
    expect(await readFile(join(outside, 'sub', 'b.txt'), 'utf8')).toBe('beta');
  });

  it('the folder moved out while appending to a new file: the file is removed', async () => {
    const { ws, outside, open } = site();
    const folder = onVerify(
      await open(['sub']),
      async () => (await exists(join(ws, 'sub', 'new.log'))) && (await readFile(join(ws, 'sub', 'new.log'), 'utf8')) !== '',
      () => rename(join(ws, 'sub'), join(outside, 'sub')),
    );
    await refusal(appendFileIn(folder, 'new.log', 'line', 0o644));
    if (anchored) expect(await exists(join(outside, 'sub', 'new.log'))).toBe(false);
  });

  it('the folder moved out before appending to a new file: the file made there is removed before a byte is written', async () => {
    const { ws, outside, open } = site();
    const folder = await open(['sub']);
    await rename(join(ws, 'sub'), join(outside, 'sub'));
    if (anchored) expect((await refusal(appendFileIn(folder, 'new.log', 'line', 0o644))).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
    else await expect(appendFileIn(folder, 'new.log', 'line', 0o644)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await exists(join(outside, 'sub', 'new.log'))).toBe(false);
  });
});
