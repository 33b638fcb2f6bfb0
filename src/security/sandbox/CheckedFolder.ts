import type { BigIntStats, Stats } from 'node:fs';
import { chmod, lstat, realpath, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from '../../core/fs/index.js';
import { makeFolderIn } from './makeFolderIn.js';
import { pathNotFound, wrongType } from './pathErrors.js';
import { movedOut, swappedDuringTask } from './raceErrors.js';
import { errnoCode, isInsideDirectory } from './resolveInWorkspace.js';
import type { WorkspaceFolder } from './WorkspaceFolder.js';

/** Which object a path named when it was checked. */
interface Identity {
  dev: bigint;
  ino: bigint;
}

/**
 * A folder named by its real path, for platforms without `/proc/self/fd` (macOS, Windows).
 *
 * Every check compares the object the path leads to now with the one it led to when opened
 * (device and inode), and the path's real path with itself, so a swap that is still in place
 * when a check runs is caught. A swap made and undone between two checks is not: on these
 * platforms the window between check and use is narrowed, not closed (sandbox.md, "Folder
 * swaps").
 */
export class CheckedFolder implements WorkspaceFolder {
  readonly anchored = false;

  private constructor(
    readonly workspace: string,
    readonly shown: string,
    private readonly path: string,
    private readonly identity: Identity,
  ) {}

  static async openRoot(workspace: string, shown: string): Promise<CheckedFolder> {
    const stats = await lstat(workspace, { bigint: true });
    if (stats.isSymbolicLink()) throw swappedDuringTask(shown);
    if (!stats.isDirectory()) throw wrongType(shown, 'folder', 'file');
    return new CheckedFolder(workspace, shown, workspace, identityOf(stats));
  }

  entry(name: string): string {
    return join(this.path, name);
  }

  self(): string {
    return this.path;
  }

  async child(name: string, options: { create?: boolean; belowFile?: boolean } = {}): Promise<WorkspaceFolder> {
    const path = this.entry(name);
    let stats = await lstatOrUndefined(path);
    if (stats === undefined && options.create) {
      await makeFolderIn(this, name);
      stats = await lstatOrUndefined(path);
    }
    if (stats === undefined) throw pathNotFound(this.shown);
    if (stats.isSymbolicLink()) throw swappedDuringTask(this.shown);
    if (!stats.isDirectory()) throw options.belowFile ? wrongType(this.shown, 'path whose parents are folders', 'path below a file') : wrongType(this.shown, 'folder', 'file');
    // The child's path went through this folder's path: it must still lead here.
    await this.verify();
    return new CheckedFolder(this.workspace, this.shown, path, identityOf(stats));
  }

  async verify(): Promise<void> {
    await this.verifyIdentity(this.path, this.identity);
    const real = await realpath(this.path).catch(() => undefined);
    if (real === undefined) throw pathNotFound(this.shown);
    // The same folder, reached through a link: it was moved out and a link left in its place.
    if (real !== this.path) throw isInsideDirectory(this.workspace, real) ? swappedDuringTask(this.shown) : movedOut(this.shown, real);
  }

  async verifyOpened(handle: FileHandle, name: string): Promise<Stats> {
    await this.verify();
    await this.verifyIdentity(this.entry(name), identityOf(await handle.stat({ bigint: true })));
    return handle.stat();
  }

  stat(): Promise<Stats> {
    return lstat(this.path);
  }

  sync(): Promise<void> {
    return fsyncDir(this.path);
  }

  chmod(mode: number): Promise<void> {
    return chmod(this.path, mode);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async verifyIdentity(path: string, expected: Identity): Promise<void> {
    const stats = await lstatOrUndefined(path);
    if (stats === undefined) throw pathNotFound(this.shown);
    if (stats.isSymbolicLink()) throw swappedDuringTask(this.shown);
    const now = identityOf(stats);
    if (now.dev !== expected.dev || now.ino !== expected.ino) throw swappedDuringTask(this.shown);
  }
}

function identityOf(stats: BigIntStats): Identity {
  return { dev: stats.dev, ino: stats.ino };
}

async function lstatOrUndefined(path: string): Promise<BigIntStats | undefined> {
  try {
    return await lstat(path, { bigint: true });
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}
