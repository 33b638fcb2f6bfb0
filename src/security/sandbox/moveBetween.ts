import { rename } from 'node:fs/promises';
import { copyBetween } from './copyBetween.js';
import { removeIn } from './removeIn.js';
import { errnoCode } from './resolveInWorkspace.js';
import type { WorkspaceFolder } from './WorkspaceFolder.js';

/**
 * Renames `fromName` in `from` to `toName` in `to`. Neither name is followed if it is a link: a
 * link is moved itself, and a link at the destination is replaced. Both folders are checked
 * before and after; if one left the workspace meanwhile, the item is moved back and the operation
 * fails. Across file systems (a mount inside the workspace) it copies, then removes the original.
 */
export async function moveBetween(from: WorkspaceFolder, fromName: string, to: WorkspaceFolder, toName: string): Promise<void> {
  await from.verify();
  await to.verify();
  try {
    await rename(from.entry(fromName), to.entry(toName));
  } catch (error) {
    if (errnoCode(error) !== 'EXDEV') throw error;
    await copyBetween(from, fromName, to, toName);
    await removeIn(from, fromName);
    return;
  }
  try {
    await from.verify();
    await to.verify();
  } catch (error) {
    await rename(to.entry(toName), from.entry(fromName)).catch(() => undefined);
    throw error;
  }
}
