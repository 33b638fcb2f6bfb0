import { mkdir, rmdir } from 'node:fs/promises';
import { errnoCode } from './resolveInWorkspace.js';
import type { WorkspaceFolder } from './WorkspaceFolder.js';

/**
 * Creates the folder `name` in `folder`; true if this call made it, false if it was there. A
 * folder made while `folder` was being moved out of the workspace is removed again and the check's
 * error thrown, so nothing is left outside.
 */
export async function makeFolderIn(folder: WorkspaceFolder, name: string): Promise<boolean> {
  try {
    await mkdir(folder.entry(name));
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await folder.verify();
  } catch (error) {
    await rmdir(folder.entry(name)).catch(() => undefined);
    throw error;
  }
  return true;
}
