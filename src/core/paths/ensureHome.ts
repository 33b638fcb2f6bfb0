import { chmod, mkdir, stat } from 'node:fs/promises';
import { StorageError } from '../errors/index.js';

/**
 * Creates the home (and a subfolder, if given) private to the user: 0700. A home that others may
 * write to is refused, since anyone could then plant config or read results.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const info = await stat(dir);
    if (process.platform !== 'win32' && (info.mode & 0o002) !== 0) {
      throw new StorageError({
        code: 'LA_HOME_INSECURE',
        message: `The folder ${dir} can be written by every user on this machine.`,
        suggestion: `Make it private with \`chmod 700 ${dir}\` and run the command again.`,
      });
    }
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) await chmod(dir, 0o700);
  } catch (error) {
    if (error instanceof StorageError) throw error;
    throw new StorageError({
      code: 'LA_HOME_UNUSABLE',
      message: `Cannot create or use the folder ${dir}: ${(error as Error).message}`,
      suggestion: 'Choose another home with --home or LOCALAGENT_HOME, or fix the folder permissions.',
      cause: error,
    });
  }
}
