import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { notRegular, wrongType } from './pathErrors.js';
import { refusedLink } from './raceErrors.js';
import type { WorkspaceFolder } from './WorkspaceFolder.js';

// O_NOFOLLOW: the name was checked to be no link; one there now is a swap, refused.
// O_NONBLOCK: a FIFO swapped in must not hang the open; fstat refuses it right after.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Opens the regular file `name` in `folder` for reading, and checks that what was opened is a
 * regular file inside the workspace before a byte is read. The caller closes the handle.
 */
export async function openFileIn(folder: WorkspaceFolder, name: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(folder.entry(name), READ_FLAGS);
  } catch (error) {
    throw refusedLink(error, folder.shown);
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw wrongType(folder.shown, 'file', 'folder');
    if (!stats.isFile()) throw notRegular(folder.shown, 'special file');
    await folder.verifyOpened(handle, name);
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}
