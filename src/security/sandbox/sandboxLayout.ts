import { lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join } from 'node:path';
import { isInsideDirectory } from './resolveInWorkspace.js';
import { PRIVILEGED_SOCKETS, SENSITIVE_HOME_ENTRIES } from './sensitivePaths.js';

export interface SandboxLayoutOptions {
  /** The workspace's real path: the one folder the program may write. */
  workspace: string;
  /** LocalAgent's home (vault, keyring index, audit logs, database, runs). */
  localAgentHome: string;
  /** The user's home folder(s): `$HOME` and the account's own home when they differ. */
  homeDirs: readonly string[];
  /** The `PATH` the program gets; its entries under a hidden home are bound back read-only. */
  searchPath?: string | undefined;
  /** Whether the task may use the network (then `/run` stays, minus privileged sockets). */
  network: boolean;
}

/** What the sandbox's file system looks like, as existing real paths (see bwrapArgs for the order). */
export interface SandboxLayout {
  /** Folders replaced by an empty, writable, private layer before anything is bound back. */
  masked: string[];
  /** Folders inside `masked` ones bound back read-only (program folders on the `PATH`). */
  readOnly: string[];
  /** Bound back read-write, over everything before it. */
  workspace: string;
  /** Hidden again after the workspace is bound (they are inside it): an empty folder each. */
  hiddenDirs: string[];
  /** The same for files and sockets: opening them fails with EACCES. */
  hiddenFiles: string[];
}

/**
 * Decides what a sandboxed task sees, from what exists on this machine now:
 *
 * - the user's home and LocalAgent's home become empty (and with no network, so does `/run`,
 *   where local services keep their sockets; `/tmp` always is, by BWRAP_BASE_ARGS);
 * - program folders on the `PATH` that lie in a hidden home come back read-only, so tools
 *   installed per user still start;
 * - the workspace comes back read-write;
 * - whatever the workspace brought back that must stay hidden is hidden again: LocalAgent's home,
 *   credential folders and files of a home inside the workspace (SENSITIVE_HOME_ENTRIES), and
 *   sockets that control the machine (PRIVILEGED_SOCKETS). The workspace itself and the folders
 *   above it are never hidden: the task was given them.
 *
 * Paths are compared after `realpath`, so a link (`~/.ssh → ~/dotfiles/ssh`) hides its target.
 */
export function sandboxLayout(options: SandboxLayoutOptions): SandboxLayout {
  const workspace = options.workspace;
  const homes = existingDirs(options.homeDirs.filter((dir) => isAbsolute(dir)));
  const agentHome = existingDirs([options.localAgentHome]);
  const maskCandidates = [...(options.network ? [] : existingDirs(['/run'])), ...homes, ...agentHome];
  const masked = outermost(maskCandidates);

  const sensitive = new Map<string, 'dir' | 'file'>();
  const candidates = [...homes.flatMap((home) => SENSITIVE_HOME_ENTRIES.map((entry) => join(home, entry))), ...(options.network ? PRIVILEGED_SOCKETS : [])];
  for (const found of candidates.map(realKind)) if (found) sensitive.set(found.path, found.kind);
  for (const dir of agentHome) sensitive.set(dir, 'dir');
  const insideSensitive = (path: string): boolean => [...sensitive.keys()].some((secret) => isInsideDirectory(secret, path));

  const readOnly = programFolders(options.searchPath, homes, (dir) => !isInsideDirectory(workspace, dir) && !insideSensitive(dir));

  // `/tmp` is masked by the base arguments; it counts when deciding what is still visible.
  const coveredBy = ['/tmp', ...masked];
  const visible = (path: string): boolean =>
    isInsideDirectory(workspace, path) || readOnly.some((dir) => isInsideDirectory(dir, path)) || !coveredBy.some((dir) => isInsideDirectory(dir, path));
  // The workspace and the folders above it were given to the task; hiding them would hide it.
  const givenToTask = (path: string): boolean => isInsideDirectory(path, workspace);
  for (const home of homes) if (!givenToTask(home)) sensitive.set(home, 'dir');
  const secrets = [...sensitive].filter(([path]) => visible(path) && !givenToTask(path));

  const hiddenDirs = outermost(secrets.filter(([, kind]) => kind === 'dir').map(([path]) => path));
  const underHidden = (path: string): boolean => hiddenDirs.some((dir) => isInsideDirectory(dir, path));
  const hiddenFiles = secrets.filter(([path, kind]) => kind === 'file' && !underHidden(path)).map(([path]) => path);
  return { masked, readOnly, workspace, hiddenDirs: hiddenDirs.sort(), hiddenFiles: hiddenFiles.sort() };
}

/**
 * The folders to bind back for `PATH` entries inside a hidden home, as real paths. A program
 * needs more than its `bin` folder: `~/.nvm/versions/node/v20/bin/npm` loads `../lib`, pyenv's
 * `shims` call `../libexec`. So for an entry named `bin` or `shims` the folder above it (the
 * tool's installation prefix) comes back — except the home itself and the shared XDG folders
 * (`~/.local`, `~/.config`, `~/.cache`), which hold far more than programs; for `~/.local/bin`
 * only `~/.local/lib` (where `pip install --user` puts packages) comes along.
 */
function programFolders(searchPath: string | undefined, homes: readonly string[], allowed: (dir: string) => boolean): string[] {
  const entries = existingDirs((searchPath ?? '').split(delimiter).filter((entry) => isAbsolute(entry)));
  const wanted: string[] = [];
  for (const dir of entries) {
    const home = homes.find((candidate) => candidate !== dir && isInsideDirectory(candidate, dir));
    if (home === undefined) continue;
    const prefix = dirname(dir);
    const shared = ['.local', '.config', '.cache'].map((name) => join(home, name));
    if (!['bin', 'shims'].includes(basename(dir)) || prefix === home) wanted.push(dir);
    else if (!shared.includes(prefix)) wanted.push(prefix);
    else wanted.push(dir, ...(prefix === join(home, '.local') ? existingDirs([join(prefix, 'lib')]) : []));
  }
  return outermost(wanted.filter((dir) => allowed(dir)));
}

/** The real paths of those of `paths` that are folders, without duplicates, in the given order. */
function existingDirs(paths: readonly string[]): string[] {
  const result: string[] = [];
  for (const found of paths.map(realKind)) {
    // The root as a "home" would hide the whole machine.
    if (found?.kind === 'dir' && found.path !== '/' && !result.includes(found.path)) result.push(found.path);
  }
  return result;
}

/**
 * The real path of `path` and whether it is a folder; undefined when it does not exist (or is a
 * dangling link). Synchronous on purpose: about sixty lookups run before every shell task, most of
 * them for paths that do not exist; done in the thread pool they cost several times more (under
 * load, ten milliseconds instead of one), and spawning the program blocks the loop anyway.
 */
function realKind(path: string): { path: string; kind: 'dir' | 'file' } | undefined {
  const info = lstatSync(path, { throwIfNoEntry: false });
  if (info === undefined) return undefined;
  try {
    const real = realpathSync.native(path);
    // A path that is already real needs no second look at what it is.
    const isDir = real === path && !info.isSymbolicLink() ? info.isDirectory() : statSync(real).isDirectory();
    return { path: real, kind: isDir ? 'dir' : 'file' };
  } catch {
    return undefined;
  }
}

/** Drops every folder that lies inside another one of the list (mounting over the outer one covers it). */
function outermost(dirs: readonly string[]): string[] {
  return dirs.filter((dir, index) => !dirs.some((other, otherIndex) => otherIndex !== index && isInsideDirectory(other, dir) && (other !== dir || otherIndex < index)));
}
