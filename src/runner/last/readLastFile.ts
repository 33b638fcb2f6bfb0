import { readFile } from 'node:fs/promises';
import type { FieldCipher } from '../../core/crypto/index.js';
import { StorageError, UserInputError } from '../../core/errors/index.js';
import { parseLast, type LastResult } from '../../formats/index.js';
import { decodeLastFile } from './lastFileFormat.js';

/**
 * Reads a `.last` file, plain or encrypted, and checks it against the format. Every reader of
 * `.last` files goes through this, so turning `security.encrypt_results` on changes nothing for them.
 */
export async function readLastFile(file: string, options: { cipher?: FieldCipher | undefined } = {}): Promise<LastResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') {
      throw new UserInputError({ code: 'LA_PATH_NOT_FOUND', message: `There is no .last file ${file}.`, suggestion: 'Check the path, or show a run by its id (`localagent runs list`).', details: { file }, cause: error });
    }
    throw new StorageError({ message: `Cannot read ${file}: ${(error as Error).message}`, details: { file }, cause: error });
  }
  return parseLast(decodeLastFile(text, file, options.cipher), file);
}
