import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { policyUnreadableError } from './policyErrors.js';
import type { PolicySource } from './PolicySource.js';

/** A policy file larger than this is refused: nobody writes a megabyte of policies by hand. */
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;

/**
 * The user's `*.cedar` files in `dir`, in name order (so `10-team.cedar` comes before
 * `20-me.cedar`). Hidden files and other files are ignored; a missing folder means none.
 */
export async function readPolicyFiles(dir: string): Promise<PolicySource[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw policyUnreadableError(dir, error);
  }
  const files = names.filter((name) => name.endsWith('.cedar') && !name.startsWith('.')).sort();
  const sources: PolicySource[] = [];
  for (const name of files) {
    const path = join(dir, name);
    try {
      const info = await stat(path);
      if (info.size > MAX_POLICY_FILE_BYTES) throw new Error(`the file is ${info.size} bytes; policy files over ${MAX_POLICY_FILE_BYTES} bytes are refused`);
      sources.push({ name: path, origin: 'user', text: await readFile(path, 'utf8') });
    } catch (error) {
      throw policyUnreadableError(path, error);
    }
  }
  return sources;
}
