import { randomBytes } from 'node:crypto';
import { lstat, readdir, readlink, rename, symlink } from 'node:fs/promises';
import { tempPrefixFor } from '../../core/fs/index.js';
import { notRegular } from './pathErrors.js';
import { makeFolderIn } from './makeFolderIn.js';
import { openFileIn } from './openFileIn.js';
import { removeIfOurs, replaceFileIn } from './writeFileIn.js';
import type { WorkspaceFolder } from './WorkspaceFolder.js';

const CHUNK_BYTES = 256 * 1024;

/**
 * Copies `fromName` in `from` to `toName` in `to`: a file through a temporary file and a rename
 * (`replaceFileIn`), keeping its mode; a folder recursively, merged into an existing folder,
 * with links copied as links (what they point to is checked when they are used) and devices,
 * FIFOs and sockets skipped. Every file is read through a handle checked to be inside the
 * workspace and written into a folder checked the same way, so a folder swapped for a link
 * during the copy neither leaks the outside in nor lets a byte out.
 */
export async function copyBetween(from: WorkspaceFolder, fromName: string, to: WorkspaceFolder, toName: string): Promise<void> {
  const stats = await lstat(from.entry(fromName));
  if (stats.isDirectory()) return copyFolder(from, fromName, to, toName, stats.mode);
  if (stats.isFile()) return copyFile(from, fromName, to, toName);
  if (stats.isSymbolicLink()) return copyLink(from, fromName, to, toName);
  throw notRegular(from.shown, 'special file');
}

async function copyFile(from: WorkspaceFolder, fromName: string, to: WorkspaceFolder, toName: string): Promise<void> {
  const input = await openFileIn(from, fromName);
  try {
    const mode = (await input.stat()).mode & 0o777;
    await replaceFileIn(
      to,
      toName,
      async (output) => {
        const buffer = Buffer.alloc(CHUNK_BYTES);
        for (;;) {
          const { bytesRead } = await input.read(buffer, 0, buffer.length, null);
          if (bytesRead === 0) return;
          await output.write(buffer, 0, bytesRead);
        }
      },
      // A copy can be made again from its source: no flush, as a plain copy would not.
      { mode, sync: false },
    );
  } finally {
    await input.close();
  }
}

async function copyFolder(from: WorkspaceFolder, fromName: string, to: WorkspaceFolder, toName: string, mode: number): Promise<void> {
  const source = await from.child(fromName);
  try {
    const created = await makeFolderIn(to, toName);
    const target = await to.child(toName);
    try {
      for (const entry of await readdir(source.self(), { withFileTypes: true })) {
        // Devices, FIFOs and sockets are skipped, as `cp` with a filter would.
        if (entry.isDirectory() || entry.isFile() || entry.isSymbolicLink()) await copyBetween(source, entry.name, target, entry.name);
      }
      if (created) await target.chmod(mode & 0o777);
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/** Copies the link itself, replacing whatever file or link has the name in `to`. */
async function copyLink(from: WorkspaceFolder, fromName: string, to: WorkspaceFolder, toName: string): Promise<void> {
  const target = await readlink(from.entry(fromName));
  const temp = `${tempPrefixFor(toName)}${process.pid}.${randomBytes(6).toString('hex')}.link`;
  await to.verify();
  await symlink(target, to.entry(temp));
  const ours = await lstat(to.entry(temp));
  let placed = false;
  try {
    await rename(to.entry(temp), to.entry(toName));
    placed = true;
    await to.verify();
  } catch (error) {
    await removeIfOurs(to, placed ? toName : temp, ours);
    throw error;
  }
}
