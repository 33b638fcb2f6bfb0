import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StorageError } from '../errors/index.js';

export interface WriteFileAtomicOptions {
  /** Permission bits of the new file. Default 0600: everything written this way is private. */
  mode?: number;
  /** Flush the file and its folder to disk before returning. Default true. */
  fsync?: boolean;
  /**
   * Called after the temporary file is complete and flushed, just before it replaces the target.
   * For fault-injection tests only (a crash or error here must leave the old file intact).
   */
  beforeRename?: (tempFile: string) => void | Promise<void>;
}

/** Names of temporary files left by a crashed `writeFileAtomic` for `file` start with this. */
export function tempPrefixFor(file: string): string {
  return `.${basename(file)}.`;
}

/**
 * Replaces `file` with `data` so that a reader or a crash at any moment sees either the complete
 * old content or the complete new one: write a temporary file in the same folder, fsync it, rename
 * it over the target (atomic on POSIX file systems), fsync the folder so the rename itself is
 * durable. On failure the temporary file is removed and the target is untouched.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  const fsync = options.fsync ?? true;
  const dir = dirname(file);
  const temp = join(dir, `${tempPrefixFor(file)}${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // 'wx' refuses to follow or reuse an existing path, so a planted symlink cannot redirect the write.
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      // The umask may have narrowed the mode; it can never widen it, but make the intent exact.
      await handle.chmod(mode);
      if (fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.beforeRename) await options.beforeRename(temp);
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {
      // Already renamed or never created: nothing to clean up.
    });
    if (error instanceof StorageError) throw error;
    throw new StorageError({
      message: `Cannot write ${file}: ${(error as Error).message}`,
      details: { file },
      cause: error,
    });
  }
  if (fsync) await fsyncDir(dir);
}

/** Makes a rename or a new file in `dir` durable. Some platforms cannot open folders; there it is a no-op. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}
