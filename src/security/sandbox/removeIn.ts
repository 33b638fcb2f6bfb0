import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { LocalAgentError } from '../../core/errors/index.js';
import { SANDBOX_ERROR_CODES } from './pathErrors.js';
import { errnoCode } from './resolveInWorkspace.js';
import type { WorkspaceFolder } from './WorkspaceFolder.js';

/**
 * Removes `name` from `folder`: a file or a link itself (never what a link points to), a folder
 * with everything in it. Each folder below is opened without following links and its entries are
 * removed through it, each right after checking that the folder is still inside the workspace —
 * so a folder in the tree swapped for a link to the outside during the removal is refused, not
 * emptied. (A removal cannot be undone, so the check comes before each step, not after.)
 */
export async function removeIn(folder: WorkspaceFolder, name: string): Promise<void> {
  await folder.verify();
  const stats = await lstat(folder.entry(name));
  if (stats.isDirectory()) {
    const inner = await folder.child(name);
    try {
      for (const entry of await readdir(inner.self())) {
        await removeEntry(inner, entry);
      }
    } finally {
      await inner.close();
    }
    await folder.verify();
    await rmdir(folder.entry(name));
  } else {
    await unlink(folder.entry(name));
  }
}

/** Inside a folder being removed, an entry that is already gone (removed by someone else) is fine. */
async function removeEntry(folder: WorkspaceFolder, name: string): Promise<void> {
  try {
    await removeIn(folder, name);
  } catch (error) {
    const gone = errnoCode(error) === 'ENOENT' || (error instanceof LocalAgentError && error.code === SANDBOX_ERROR_CODES.notFound);
    if (!gone) throw error;
  }
}
