import { createHash } from 'node:crypto';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { relative } from 'node:path';
import { listTree } from '../../support/listTree.js';

/** Files under `dir` whose bytes contain any of `needles` (as UTF-8), with which one. */
export async function filesContaining(dir: string, needles: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const path of await listTree(dir)) {
    const stats = await lstat(path);
    if (!stats.isFile()) continue;
    const bytes = await readFile(path);
    for (const needle of needles) if (bytes.includes(Buffer.from(needle, 'utf8'))) hits.push(`${path}: ${needle.slice(0, 6)}…`);
  }
  return hits;
}

/**
 * What a folder holds: each path (relative) with its type and a hash of its content (or a link's
 * target), so a before/after comparison shows any file written, changed, removed or linked.
 */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const path of await listTree(dir)) {
    const stats = await lstat(path);
    const key = relative(dir, path);
    if (stats.isSymbolicLink()) out[key] = `link → ${await readlink(path)}`;
    else if (stats.isDirectory()) out[key] = `dir ${(stats.mode & 0o7777).toString(8)}`;
    else out[key] = `file ${(stats.mode & 0o7777).toString(8)} ${createHash('sha256').update(await readFile(path)).digest('hex')}`;
  }
  return out;
}
