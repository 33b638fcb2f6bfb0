import { constants, type Stats } from 'node:fs';
import { lstat, open, readlink, type FileHandle } from 'node:fs/promises';
import { makeFolderIn } from './makeFolderIn.js';
import { pathNotFound, wrongType } from './pathErrors.js';
import { movedOut, swappedDuringTask } from './raceErrors.js';
import { errnoCode, isInsideDirectory } from './resolveInWorkspace.js';
import type { WorkspaceFolder } from './WorkspaceFolder.js';

const DIRECTORY = constants.O_DIRECTORY ?? 0;
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
/** A folder opened to be held, looked into and listed; never for writing. */
const FOLDER_FLAGS = constants.O_RDONLY | DIRECTORY | NO_FOLLOW;
/** Other threads may lose a race for a name the same way; a few tries, then the error stands. */
const CREATE_TRIES = 3;

/**
 * A folder held open, with names looked up through `/proc/self/fd/<fd>/<name>`.
 *
 * On Linux `/proc/self/fd/<fd>` is a "magic link": the kernel does not resolve it as text but
 * jumps to the very folder the descriptor holds. So `open`, `mkdir`, `rename`, `unlink` and
 * `lstat` on `/proc/self/fd/<fd>/<name>` act like `openat`, `mkdirat`, `renameat`… relative to that
 * folder, which Node does not offer directly: swapping any folder on the original path
 * afterwards changes nothing. `readlink` of the same magic link tells where the folder is now,
 * which catches the one remaining move: the held folder itself renamed out of the workspace.
 */
export class AnchoredFolder implements WorkspaceFolder {
  readonly anchored = true;

  private constructor(
    readonly workspace: string,
    readonly shown: string,
    private readonly handle: FileHandle,
  ) {}

  /**
   * Opens the workspace (its real path) and checks through `/proc` that the kernel agrees on
   * where it is. `undefined` when `/proc/self/fd` cannot be read (not Linux, or no `/proc`
   * mounted): the caller then uses path checks instead.
   */
  static async openRoot(workspace: string, shown: string): Promise<AnchoredFolder | undefined> {
    if (process.platform !== 'linux') return undefined;
    const handle = await openFolder(workspace, shown, false);
    let where: string;
    try {
      where = await readlink(magicLink(handle.fd));
    } catch {
      await handle.close();
      return undefined;
    }
    const folder = new AnchoredFolder(workspace, shown, handle);
    // The workspace itself was swapped between its realpath and this open.
    if (where !== workspace) {
      await folder.close();
      throw movedOut(shown, where);
    }
    return folder;
  }

  entry(name: string): string {
    return `${magicLink(this.handle.fd)}/${name}`;
  }

  self(): string {
    return magicLink(this.handle.fd);
  }

  async child(name: string, options: { create?: boolean; belowFile?: boolean } = {}): Promise<WorkspaceFolder> {
    const path = this.entry(name);
    for (let tries = 1; ; tries += 1) {
      try {
        return new AnchoredFolder(this.workspace, this.shown, await openFolder(path, this.shown, options.belowFile ?? false));
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw error;
        if (!options.create || tries >= CREATE_TRIES) throw pathNotFound(this.shown);
      }
      await makeFolderIn(this, name);
    }
  }

  async verify(): Promise<void> {
    await this.verifyDescriptor(this.handle);
  }

  verifyOpened(handle: FileHandle): Promise<Stats> {
    // The file's own magic link says where it is: the folder it was opened in is inside, so is it, unless one of them moved since.
    return this.verifyDescriptor(handle);
  }

  stat(): Promise<Stats> {
    return this.handle.stat();
  }

  sync(): Promise<void> {
    return this.handle.sync();
  }

  chmod(mode: number): Promise<void> {
    return this.handle.chmod(mode);
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  private async verifyDescriptor(handle: FileHandle): Promise<Stats> {
    const [where, stats] = await Promise.all([readlink(magicLink(handle.fd)), handle.stat()]);
    // Removed: the kernel shows the last path with " (deleted)"; the link count says it for sure.
    if (stats.nlink === 0) throw pathNotFound(this.shown);
    if (!isInsideDirectory(this.workspace, where)) throw movedOut(this.shown, where);
    return stats;
  }
}

function magicLink(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/**
 * Opens a folder without following a link in its last component; a link or a file there gets its
 * own error. `belowFile`: the folder is a parent of the task's path, so a file there means the
 * path goes below a file.
 */
async function openFolder(path: string, shown: string, belowFile: boolean): Promise<FileHandle> {
  try {
    return await open(path, FOLDER_FLAGS);
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'ENOTDIR' && code !== 'ELOOP') throw error;
    const stats = await lstat(path).catch(() => undefined);
    if (stats !== undefined && !stats.isSymbolicLink() && !stats.isDirectory()) {
      throw belowFile ? wrongType(shown, 'path whose parents are folders', 'path below a file') : wrongType(shown, 'folder', 'file');
    }
    // A link, or gone, or a folder again by now: either way it changed after the check.
    throw swappedDuringTask(shown);
  }
}
