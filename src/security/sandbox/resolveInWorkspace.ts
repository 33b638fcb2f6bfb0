import type { Stats } from 'node:fs';
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { StorageError } from '../../core/errors/index.js';
import { SANDBOX_ERROR_CODES, invalidPath, notRegular, outsideWorkspace, pathNotFound } from './pathErrors.js';

export interface ResolveInWorkspaceOptions {
  /** The path must exist (`LA_PATH_NOT_FOUND` otherwise). */
  mustExist?: boolean;
  /** The path will be created, replaced or removed: the workspace folder itself is refused. */
  forWrite?: boolean;
  /**
   * Resolve a symbolic link in the last component (default true). With `false` the link itself is
   * the target — what `stat`, `delete` and `move` act on — while every parent folder is still
   * resolved, so the link must live inside the workspace even if it points out of it.
   */
  followFinal?: boolean;
}

/** What the last component of a resolved path is. Devices, FIFOs and sockets never get this far. */
export type WorkspacePathType = 'file' | 'directory' | 'symlink' | 'missing';

export interface WorkspacePath {
  /** The real, absolute path, inside the workspace. What the policy is asked about, and what a tool must act on. */
  path: string;
  /** The same, relative to the workspace with `/` separators; `.` for the workspace itself. Tools walk it with `openWorkspaceFolder`. */
  relative: string;
  /** The workspace's real path. */
  workspace: string;
  type: WorkspacePathType;
}

/** Linux gives up after 40 links in one lookup; so do we, for links followed by hand. */
const MAX_LINK_HOPS = 40;
const MAX_PATH_LENGTH = 4096;
/** `%2e` `.`, `%2f` `/`, `%5c` `\`, `%00` NUL, `%25` `%` (double encoding). Paths are never URL-decoded; these only appear in attempts to fool something that does. */
const ENCODED_TRICK = /%(?:2e|2f|5c|00|25)/i;
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses.
const CONTROL_CHARACTER = /[\u0001-\u001f\u007f]/;
const WINDOWS_DRIVE = /^[A-Za-z]:/;

/**
 * Turns a path a task names into a real path inside the workspace, or refuses it.
 *
 * - The form is checked first (`LA_PATH_INVALID`): no NUL or control characters, no backslashes
 *   (never separators here, so `..\x` and `\\server\share` cannot mean anything), no drive letters,
 *   no URL-encoded `.`, `/`, `\`, `%` or NUL.
 * - Relative paths are taken from the workspace; absolute ones are accepted only if they end up
 *   inside it.
 * - `..` is applied, then the longest existing prefix is resolved with the kernel's `realpath`
 *   and the rest appended, so every symbolic link on the way — including a dangling one a write
 *   would create through — is followed before the inside check (`LA_PATH_OUTSIDE_WORKSPACE`).
 * - Devices, FIFOs and sockets are refused (`LA_PATH_NOT_REGULAR`).
 *
 * The result names what the tool must act on; tools never reopen the path the task wrote. The
 * check holds for the moment it ran: to act, tools walk `relative` again from the workspace
 * through `openWorkspaceFolder`, which follows no link, so a folder swapped for a link after
 * this check cannot redirect them.
 */
export async function resolveInWorkspace(workspace: string, userPath: string, options: ResolveInWorkspaceOptions = {}): Promise<string> {
  return (await locateInWorkspace(workspace, userPath, options)).path;
}

/** `resolveInWorkspace` with what it learned on the way: the relative form and the type. */
export async function locateInWorkspace(workspace: string, userPath: string, options: ResolveInWorkspaceOptions = {}): Promise<WorkspacePath> {
  checkPathForm(userPath);
  const root = await realWorkspace(workspace);
  const absolute = resolve(root, userPath);
  const hops = { count: 0 };
  let real: string;
  try {
    if (options.followFinal === false && absolute !== root) {
      real = join(await realpathTolerant(dirname(absolute), hops), basename(absolute));
    } else {
      real = await realpathTolerant(absolute, hops);
    }
  } catch (error) {
    throw translateLookupError(userPath, error);
  }
  if (!isInsideDirectory(root, real)) throw outsideWorkspace(userPath, { resolved: real });
  if (options.forWrite && real === root) throw invalidPath(userPath, 'it is the workspace folder itself');

  const stats = await lstatOrUndefined(real, userPath);
  const type = typeOf(stats, userPath);
  if (type === 'missing' && options.mustExist) throw pathNotFound(userPath);
  return { path: real, relative: toPortableRelative(root, real), workspace: root, type };
}

/** Refuses paths whose form is a trick, before touching the file system. */
export function checkPathForm(userPath: string): void {
  if (typeof userPath !== 'string' || userPath.length === 0) throw invalidPath(String(userPath), 'it is empty');
  if (userPath.length > MAX_PATH_LENGTH) throw invalidPath(`${userPath.slice(0, 80)}…`, `it is longer than ${MAX_PATH_LENGTH} characters`);
  if (userPath.includes('\0')) throw invalidPath(userPath, 'it contains a NUL byte');
  if (CONTROL_CHARACTER.test(userPath)) throw invalidPath(userPath, 'it contains a control character');
  if (userPath.includes('\\')) throw invalidPath(userPath, 'backslashes are not folder separators here; use "/"');
  if (WINDOWS_DRIVE.test(userPath)) throw invalidPath(userPath, 'it names a Windows drive');
  if (ENCODED_TRICK.test(userPath)) throw invalidPath(userPath, 'it contains a URL-encoded ".", "/", "\\", "%" or NUL, and paths are never URL-decoded');
}

/** True when `candidate` is `root` or below it. Both must be absolute and normalised. */
export function isInsideDirectory(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The real path of the workspace itself; it must exist and be a folder. */
export async function realWorkspace(workspace: string): Promise<string> {
  if (!isAbsolute(workspace)) {
    throw invalidPath(workspace, 'the workspace must be an absolute path');
  }
  let root: string;
  try {
    root = await realpath(workspace);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw pathNotFound(workspace);
    throw fsFailure(workspace, error);
  }
  const stats = await lstat(root);
  if (!stats.isDirectory()) throw invalidPath(workspace, 'the workspace is not a folder');
  return root;
}

/**
 * `realpath` that tolerates a missing tail: resolves the longest existing prefix and appends the
 * rest. A dangling symbolic link on the way is followed by hand (its target resolved the same
 * way), because creating a file through it would land at its target.
 */
async function realpathTolerant(absolute: string, hops: { count: number }): Promise<string> {
  const tail: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      const real = await realpath(current);
      return tail.length === 0 ? real : join(real, ...tail);
    } catch (error) {
      const code = errnoCode(error);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    }
    const stats = await lstat(current).catch(() => undefined);
    if (stats?.isSymbolicLink()) {
      hops.count += 1;
      if (hops.count > MAX_LINK_HOPS) throw Object.assign(new Error('too many symbolic links'), { code: 'ELOOP' });
      const target = await readlink(current);
      const parent = await realpathTolerant(dirname(current), hops);
      return realpathTolerant(resolve(parent, target, ...tail), hops);
    }
    const parent = dirname(current);
    // Only the file-system root has itself as parent, and it always exists: a safe stop.
    if (parent === current) return absolute;
    tail.unshift(basename(current));
    current = parent;
  }
}

async function lstatOrUndefined(path: string, userPath: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw fsFailure(userPath, error);
  }
}

function typeOf(stats: Stats | undefined, userPath: string): WorkspacePathType {
  if (!stats) return 'missing';
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFIFO()) throw notRegular(userPath, 'FIFO (named pipe)');
  if (stats.isSocket()) throw notRegular(userPath, 'socket');
  if (stats.isCharacterDevice()) throw notRegular(userPath, 'character device');
  throw notRegular(userPath, 'block device');
}

function translateLookupError(userPath: string, error: unknown): Error {
  if (errnoCode(error) === 'ELOOP') return invalidPath(userPath, 'it goes through a loop of symbolic links');
  return fsFailure(userPath, error);
}

/** The workspace-relative form people see in outputs: `/` separators, `.` for the root. */
export function toPortableRelative(root: string, real: string): string {
  const rel = relative(root, real);
  return rel === '' ? '.' : rel.split(sep).join('/');
}

/** The errno code of a Node file-system error, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/** The operating system refused a file operation for a reason the sandbox did not cause (permissions, disk full…). */
export function fsFailure(userPath: string, error: unknown): StorageError {
  const code = errnoCode(error);
  return new StorageError({
    code: SANDBOX_ERROR_CODES.fsFailed,
    category: 'permanent',
    message: `The file operation on "${userPath}" failed: ${error instanceof Error ? error.message : String(error)}`,
    suggestion: 'Check the permissions of the file and its folder, and free disk space.',
    details: { path: userPath, ...(code ? { errno: code } : {}) },
    cause: error,
  });
}
