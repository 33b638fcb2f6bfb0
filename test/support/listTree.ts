import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Every path under `dir` (files, folders, links; links listed, never followed), or none when
 * `dir` does not exist. For tests that search or compare whole folders.
 */
export async function listTree(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true })).map((path) => join(dir, path));
  } catch {
    return [];
  }
}
