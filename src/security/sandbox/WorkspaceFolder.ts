import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { AnchoredFolder } from './AnchoredFolder.js';
import { CheckedFolder } from './CheckedFolder.js';
import { invalidPath } from './pathErrors.js';

/**
 * How a `WorkspaceFolder` names what is inside it.
 *
 * - `auto`: through the kernel's handle of the folder (`/proc/self/fd/<fd>/<name>`, Linux), so a
 *   name is looked up in exactly the folder that was opened and checked, wherever that folder is
 *   now and whatever happened to the path that led to it; by path (`paths`) where `/proc` is
 *   missing (macOS, Windows, Linux without `/proc`).
 * - `paths`: always by path, with the folder's identity checked before and after each step.
 *   Narrows the window between check and use; does not close it.
 */
export type FolderAnchoring = 'auto' | 'paths';

export interface OpenFolderOptions {
  /** Create missing folders on the way (each one inside the folder before it). */
  create?: boolean;
  /** The path the task wrote; errors name it. */
  shown: string;
  /** Default `auto`. */
  anchoring?: FolderAnchoring;
}

/**
 * A folder inside the workspace, opened one component at a time from the workspace without
 * following any symbolic link. File operations in `src/security/sandbox/` act on names inside a
 * `WorkspaceFolder` instead of on paths, so that swapping a folder on the way for a link to the
 * outside, between the path check and the operation, cannot redirect them.
 */
export interface WorkspaceFolder {
  /** True when names are looked up through the folder's handle (Linux `/proc/self/fd`), false when by path. */
  readonly anchored: boolean;
  /** The workspace's real path. */
  readonly workspace: string;
  /** The path the task wrote, for errors. */
  readonly shown: string;
  /** A path that names `name` (one component, no `/`) in this folder, to pass to a file-system call that does not follow a link in its last component. */
  entry(name: string): string;
  /** A path that names this folder itself (to list it). */
  self(): string;
  /**
   * Opens the folder `name` inside this one without following a link: a link there is a swap
   * (`LA_PATH_INVALID`), a file `LA_PATH_WRONG_TYPE`. With `create`, a missing folder is made.
   */
  child(name: string, options?: { create?: boolean; belowFile?: boolean }): Promise<WorkspaceFolder>;
  /** Throws unless this folder still exists and is still inside the workspace (`LA_PATH_OUTSIDE_WORKSPACE` when it was moved out). */
  verify(): Promise<void>;
  /**
   * Throws unless `handle`, just opened from `entry(name)`, is the file at `name` in this folder
   * and inside the workspace; returns the handle's metadata.
   */
  verifyOpened(handle: FileHandle, name: string): Promise<Stats>;
  /** The folder's own metadata (not a link's). */
  stat(): Promise<Stats>;
  /** Flushes the folder's entries (a rename or a new file in it) to disk, where the platform can. */
  sync(): Promise<void>;
  chmod(mode: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the folder `parts` (names relative to the workspace, as in `WorkspacePath.relative`)
 * inside `workspace` (its real path), walking from the workspace one name at a time and never
 * following a symbolic link. The caller closes it.
 */
export async function openWorkspaceFolder(workspace: string, parts: readonly string[], options: OpenFolderOptions): Promise<WorkspaceFolder> {
  for (const part of parts) {
    // The parts come from a checked real path; anything else here is a caller's mistake, refused rather than walked.
    if (part === '' || part === '.' || part === '..' || part.includes('/')) throw invalidPath(options.shown, `"${part}" is not a plain folder name`);
  }
  let folder: WorkspaceFolder = (options.anchoring ?? 'auto') === 'auto' ? ((await AnchoredFolder.openRoot(workspace, options.shown)) ?? (await CheckedFolder.openRoot(workspace, options.shown))) : await CheckedFolder.openRoot(workspace, options.shown);
  // Each folder on the way is closed once the next one is open; the closes run alongside the walk.
  const closing: Promise<void>[] = [];
  try {
    for (const part of parts) {
      const next = await folder.child(part, { create: options.create ?? false, belowFile: true });
      closing.push(folder.close());
      folder = next;
    }
  } catch (error) {
    closing.push(folder.close());
    await Promise.allSettled(closing);
    throw error;
  }
  await Promise.all(closing);
  return folder;
}

/** The folder that holds a workspace-relative path and the path's last name. `relative` is `/`-separated; `.` (the workspace itself) has no parent. */
export function splitRelative(relative: string): { parts: string[]; name: string } | undefined {
  if (relative === '.' || relative === '') return undefined;
  const parts = relative.split('/');
  const name = parts.pop() as string;
  return { parts, name };
}
