import { execFileSync } from 'node:child_process';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFileIn } from './openFileIn.js';
import { ANCHORINGS, refusal, useFolderSite } from './test-support/folderSite.js';

describe.each(ANCHORINGS)('openFileIn (anchoring: %s)', (anchoring) => {
  const site = useFolderSite(anchoring);

  it('opens a regular file in the folder for reading', async () => {
    const folder = await site().open(['sub']);
    const handle = await openFileIn(folder, 'b.txt');
    try {
      expect(await handle.readFile('utf8')).toBe('beta');
    } finally {
      await handle.close();
    }
  });

  it('refuses a link at the name (even one that stays inside), a folder and a FIFO', async () => {
    const { ws, outside, open } = site();
    await symlink(join(outside, 'secret.txt'), join(ws, 'sub', 'leak'));
    await symlink(join(ws, 'a.txt'), join(ws, 'sub', 'alias'));
    execFileSync('mkfifo', [join(ws, 'sub', 'pipe')]);
    const folder = await open(['sub']);
    expect((await refusal(openFileIn(folder, 'leak'))).code).toBe('LA_PATH_INVALID');
    expect((await refusal(openFileIn(folder, 'alias'))).code).toBe('LA_PATH_INVALID');
    expect((await refusal(openFileIn(folder, 'deep'))).code).toBe('LA_PATH_WRONG_TYPE');
    expect((await refusal(openFileIn(folder, 'pipe'))).code).toBe('LA_PATH_NOT_REGULAR');
    await expect(openFileIn(folder, 'missing')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
