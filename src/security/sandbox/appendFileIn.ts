import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { notRegular } from './pathErrors.js';
import { refusedLink } from './raceErrors.js';
import { errnoCode } from './resolveInWorkspace.js';
import { removeIfOurs } from './writeFileIn.js';
import type { WorkspaceFolder } from './WorkspaceFolder.js';

const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Appends `data` to the file `name` in `folder`, creating it (with `mode`) when missing. The
 * opened file is checked to be a regular file inside the workspace before a byte is written, and
 * again after; if it left the workspace meanwhile, the append is undone (a file this call created
 * is removed, an existing one cut back to its old length) and the operation fails.
 */
export async function appendFileIn(folder: WorkspaceFolder, name: string, data: string | Uint8Array, mode: number): Promise<void> {
  const { handle, created } = await openForAppend(folder, name, mode);
  try {
    let before: Stats;
    try {
      before = await folder.verifyOpened(handle, name);
    } catch (error) {
      if (created) await removeIfOurs(folder, name, await handle.stat().catch(() => undefined));
      throw error;
    }
    if (!before.isFile()) throw notRegular(folder.shown, 'special file');
    await handle.writeFile(data);
    try {
      await folder.verifyOpened(handle, name);
    } catch (error) {
      // Left the workspace while we wrote: take back what was written.
      if (created) await removeIfOurs(folder, name, before);
      else await handle.truncate(before.size).catch(() => undefined);
      throw error;
    }
  } finally {
    await handle.close();
  }
}

/** Creates the file if it is missing (`O_EXCL`, so we know we made it), else opens the existing one; never through a link. */
async function openForAppend(folder: WorkspaceFolder, name: string, mode: number): Promise<{ handle: FileHandle; created: boolean }> {
  try {
    try {
      return { handle: await open(folder.entry(name), APPEND_FLAGS | constants.O_CREAT | constants.O_EXCL, mode), created: true };
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
    }
    return { handle: await open(folder.entry(name), APPEND_FLAGS), created: false };
  } catch (error) {
    throw refusedLink(error, folder.shown);
  }
}
