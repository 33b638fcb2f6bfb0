import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { tempPrefixFor } from '../../core/fs/index.js';
import { wrongType } from './pathErrors.js';
import { refusedLink } from './raceErrors.js';
import { errnoCode } from './resolveInWorkspace.js';
import type { WorkspaceFolder } from './WorkspaceFolder.js';

// O_EXCL: the temporary file is new, made by us, so it is ours to fill and, if a check fails, to remove.
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

export interface ReplaceFileOptions {
  /** Permission bits of the new file. */
  mode: number;
  /** An existing regular file at the name keeps its own mode instead. Default false. */
  keepMode?: boolean;
  /** Flush the file and the folder to disk before returning. Default true. */
  sync?: boolean;
}

/** Replaces the file `name` in `folder` with `data`, atomically (see `replaceFileIn`). */
export function writeFileIn(folder: WorkspaceFolder, name: string, data: string | Uint8Array, options: ReplaceFileOptions): Promise<void> {
  return replaceFileIn(folder, name, (handle) => handle.writeFile(data), options);
}

/**
 * Makes the file `name` in `folder` appear complete or not at all: a new temporary file in the
 * same folder is created (`O_EXCL`), checked to be inside the workspace before `fill` writes a
 * byte, flushed, and renamed over `name` — a link at `name` is replaced, never followed. The
 * folder is checked again after the rename; if it was moved out of the workspace meanwhile, the
 * file just placed there is removed and the operation fails. On any failure nothing of it
 * remains.
 */
export async function replaceFileIn(folder: WorkspaceFolder, name: string, fill: (handle: FileHandle) => Promise<void>, options: ReplaceFileOptions): Promise<void> {
  const sync = options.sync ?? true;
  const temp = `${tempPrefixFor(name)}${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  // Looked up side by side; the temporary file starts private and gets its mode once the old file's is known.
  const [existing, created] = await Promise.allSettled([lstatEntry(folder, name), open(folder.entry(temp), CREATE_FLAGS, 0o600)]);
  if (created.status === 'rejected') {
    if (existing.status === 'rejected') throw existing.reason;
    throw refusedLink(created.reason, folder.shown);
  }
  const handle = created.value;
  let ours: Stats | undefined;
  let placed = false;
  try {
    if (existing.status === 'rejected') throw existing.reason;
    if (existing.value?.isDirectory()) throw wrongType(folder.shown, 'file', 'folder');
    const mode = options.keepMode && existing.value?.isFile() ? existing.value.mode & 0o777 : options.mode;
    ours = await folder.verifyOpened(handle, temp);
    await fill(handle);
    await handle.chmod(mode);
    if (sync) await handle.sync();
    await rename(folder.entry(temp), folder.entry(name));
    placed = true;
    await folder.verify();
  } catch (error) {
    // Made by us (O_EXCL) even when the check refused it: remove it, through the folder it was made in.
    ours ??= await handle.stat().catch(() => undefined);
    await handle.close();
    await removeIfOurs(folder, placed ? name : temp, ours);
    throw error;
  }
  await Promise.all([handle.close(), sync ? folder.sync() : undefined]);
}

/** Removes `name` from `folder` if it is still the file `ours` (same device and inode); a failure to remove is left to the error already on its way. */
export async function removeIfOurs(folder: WorkspaceFolder, name: string, ours: Pick<Stats, 'dev' | 'ino'> | undefined): Promise<void> {
  if (ours === undefined) return;
  const now = await lstatEntry(folder, name).catch(() => undefined);
  if (now === undefined || now.dev !== ours.dev || now.ino !== ours.ino) return;
  await unlink(folder.entry(name)).catch(() => undefined);
}

async function lstatEntry(folder: WorkspaceFolder, name: string): Promise<Stats | undefined> {
  try {
    return await lstat(folder.entry(name));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
