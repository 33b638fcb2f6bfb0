import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { copyFile, cp, lstat, mkdir, open, readdir, realpath, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { glob } from 'tinyglobby';
import { LocalAgentError, UserInputError } from '../../core/errors/index.js';
import { writeFileAtomic } from '../../core/fs/index.js';
import type { AltTask } from '../../formats/index.js';
import {
  checkPathForm,
  errnoCode,
  fsFailure,
  invalidPath,
  isInsideDirectory,
  locateInWorkspace,
  notRegular,
  outsideWorkspace,
  pathNotFound,
  realWorkspace,
  wrongType,
  type ResolveInWorkspaceOptions,
  type WorkspacePath,
} from '../../security/sandbox/index.js';
import type { Tool, ToolContext } from '../types/index.js';
import { enforcePolicy, type DecisionListener } from './enforcePolicy.js';
import { TOOL_ERROR_CODES, throwIfAborted } from './toolErrors.js';

export interface FsToolOptions {
  onDecision?: DecisionListener;
}

/** The type of a directory entry, as `list` and `stat` report it. */
export type FsEntryType = 'file' | 'directory' | 'symlink' | 'other';

export type FsOutput =
  | { content: string }
  | { entries: string[] }
  | { entries: string[]; items: { path: string; type: FsEntryType }[] }
  | { size: number; mtime: string; type: FsEntryType }
  | { path: string };

type FsTask = Extract<AltTask, { kind: 'fs' }>;

// O_NOFOLLOW: the resolved path has no links, so a link appearing there now is a swap; refuse it.
// O_NONBLOCK: a FIFO swapped in must not hang the open; it is refused right after by fstat.
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
const NON_BLOCK = constants.O_NONBLOCK ?? 0;
/** Mode of files the tool creates; an existing file keeps its own. */
const NEW_FILE_MODE = 0o644;

/**
 * Files in the workspace: every path goes through `resolveInWorkspace` (real paths, no escape by
 * `..` or symbolic links, no devices), and every operation asks the policy with the real path
 * (`fs.read`, `fs.write`, `fs.delete`). Writes replace files atomically; outputs name paths
 * relative to the workspace.
 */
export class FsTool implements Tool<'fs'> {
  readonly kind = 'fs' as const;
  private readonly onDecision: DecisionListener | undefined;

  constructor(options: FsToolOptions = {}) {
    this.onDecision = options.onDecision;
  }

  async run(task: FsTask, context: ToolContext): Promise<FsOutput> {
    throwIfAborted(context.signal, `The file operation ${task.op}`);
    const op = new FsOperation(task, context, this.onDecision);
    try {
      return await op.run();
    } catch (error) {
      throw translateFsError(error, task.path);
    }
  }
}

/** One task's operation: holds what every step needs, so helpers stay small. */
class FsOperation {
  constructor(
    private readonly task: FsTask,
    private readonly context: ToolContext,
    private readonly onDecision: DecisionListener | undefined,
  ) {}

  run(): Promise<FsOutput> {
    switch (this.task.op) {
      case 'read':
        return this.read();
      case 'write':
        return this.write(false);
      case 'append':
        return this.write(true);
      case 'list':
        return this.list();
      case 'stat':
        return this.stat();
      case 'delete':
        return this.delete();
      case 'move':
        return this.move();
      case 'copy':
        return this.copy();
      case 'glob':
        return this.glob();
    }
  }

  private locate(path: string, options: ResolveInWorkspaceOptions): Promise<WorkspacePath> {
    return locateInWorkspace(this.context.workspace, path, options);
  }

  private ask(action: string, target: WorkspacePath | string, facts: Record<string, string | boolean> = {}): Promise<unknown> {
    const resource = typeof target === 'string' ? target : target.path;
    return enforcePolicy(this.context, action, resource, { op: this.task.op, ...facts }, this.onDecision);
  }

  private async read(): Promise<FsOutput> {
    const file = await this.locate(this.task.path, { mustExist: true });
    if (file.type === 'directory') throw wrongType(this.task.path, 'file', 'folder');
    await this.ask('fs.read', file);
    return { content: await readCapped(file.path, this.task.path, this.context.limits.maxReadBytes) };
  }

  private async write(append: boolean): Promise<FsOutput> {
    const content = this.requireContent();
    const file = await this.locate(this.task.path, { forWrite: true });
    if (file.type === 'directory') throw wrongType(this.task.path, 'file', 'folder');
    await this.ask('fs.write', file, { exists: file.type !== 'missing' });
    await this.ensureParent(file);
    if (append) {
      await appendNoFollow(file.path, this.task.path, content);
    } else {
      const mode = file.type === 'file' ? (await lstat(file.path)).mode & 0o777 : NEW_FILE_MODE;
      await writeFileAtomic(file.path, content, { mode });
    }
    return { path: file.relative };
  }

  private async list(): Promise<FsOutput> {
    const folder = await this.locate(this.task.path, { mustExist: true });
    if (folder.type !== 'directory') throw wrongType(this.task.path, 'folder', 'file');
    await this.ask('fs.read', folder);
    const dirents = await readdir(folder.path, { withFileTypes: true });
    const prefix = folder.relative === '.' ? '' : `${folder.relative}/`;
    const items = dirents
      .map((entry) => ({ path: `${prefix}${entry.name}`, type: entryType(entry) }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { entries: items.map((item) => item.path), items };
  }

  private async stat(): Promise<FsOutput> {
    const target = await this.locate(this.task.path, { mustExist: true, followFinal: false });
    await this.ask('fs.read', target);
    const stats = await lstat(target.path);
    return { size: stats.size, mtime: stats.mtime.toISOString(), type: entryType(stats) };
  }

  private async delete(): Promise<FsOutput> {
    const target = await this.locate(this.task.path, { mustExist: true, forWrite: true, followFinal: false });
    await this.ask('fs.delete', target, { type: target.type });
    // rm never follows links: a link is removed, not what it points to, even inside a folder.
    await rm(target.path, { recursive: target.type === 'directory' });
    return { path: target.relative };
  }

  private async move(): Promise<FsOutput> {
    const to = this.requireTo();
    const source = await this.locate(this.task.path, { mustExist: true, forWrite: true, followFinal: false });
    // A link at the destination is replaced by the rename, never written through.
    const destination = await this.locate(to, { forWrite: true, followFinal: false });
    if (destination.path === source.path) return { path: destination.relative };
    this.refuseIntoItself(source, destination);
    if (destination.type === 'directory') throw wrongType(to, 'new path (name the moved item itself, such as folder/name)', 'existing folder');
    const overwrite = destination.type !== 'missing';
    await this.ask('fs.write', source, { role: 'source' });
    await this.ask('fs.write', destination, { role: 'destination', exists: overwrite });
    if (overwrite) await this.ask('fs.delete', destination, { role: 'destination', reason: 'replaced by move' });
    await this.ensureParent(destination);
    try {
      await rename(source.path, destination.path);
    } catch (error) {
      if (errnoCode(error) !== 'EXDEV') throw error;
      // Another file system is mounted inside the workspace: copy, then remove the original.
      await cp(source.path, destination.path, { recursive: true, verbatimSymlinks: true, filter: regularOnly });
      await rm(source.path, { recursive: true });
    }
    return { path: destination.relative };
  }

  private async copy(): Promise<FsOutput> {
    const to = this.requireTo();
    const source = await this.locate(this.task.path, { mustExist: true });
    const destination = await this.locate(to, { forWrite: true });
    if (destination.path === source.path) return { path: destination.relative };
    this.refuseIntoItself(source, destination);
    if (source.type === 'file' && destination.type === 'directory') throw wrongType(to, 'file path', 'folder');
    if (source.type === 'directory' && destination.type === 'file') throw wrongType(to, 'folder path', 'file');
    await this.ask('fs.read', source);
    await this.ask('fs.write', destination, { exists: destination.type !== 'missing' });
    await this.ensureParent(destination);
    if (source.type === 'directory') {
      // Links are copied as links (the sandbox checks them when they are used); devices, FIFOs and sockets are skipped.
      await cp(source.path, destination.path, { recursive: true, force: true, errorOnExist: false, verbatimSymlinks: true, filter: regularOnly });
    } else {
      await copyViaTemp(source.path, destination.path);
    }
    return { path: destination.relative };
  }

  private async glob(): Promise<FsOutput> {
    const pattern = this.task.path;
    checkGlobPattern(pattern);
    const root = await realWorkspace(this.context.workspace);
    await this.ask('fs.read', root, { pattern });
    const matches = await glob(pattern, {
      cwd: root,
      followSymbolicLinks: false,
      expandDirectories: false,
      absolute: false,
      signal: this.context.signal,
    });
    // Traversal does not enter linked folders, but a pattern can name one outright (link/*.txt):
    // keep only matches whose real path is inside.
    const kept = await Promise.all(
      matches.map(async (match) => {
        const real = await realpath(join(root, match)).catch(() => undefined);
        return real !== undefined && isInsideDirectory(root, real) ? match : undefined;
      }),
    );
    return { entries: kept.filter((match): match is string => match !== undefined).sort() };
  }

  private requireContent(): string {
    if (typeof this.task.content !== 'string') {
      throw new UserInputError({ message: `The fs ${this.task.op} task needs \`content\` (it may be "").`, details: { op: this.task.op } });
    }
    return this.task.content;
  }

  private requireTo(): string {
    if (typeof this.task.to !== 'string' || this.task.to === '') {
      throw new UserInputError({ message: `The fs ${this.task.op} task needs \`to\`, the destination.`, details: { op: this.task.op } });
    }
    return this.task.to;
  }

  private refuseIntoItself(source: WorkspacePath, destination: WorkspacePath): void {
    if (source.type === 'directory' && isInsideDirectory(source.path, destination.path)) {
      throw new UserInputError({
        message: `Cannot ${this.task.op} the folder "${this.task.path}" into itself ("${this.task.to ?? ''}").`,
        details: { path: this.task.path, to: this.task.to },
      });
    }
  }

  /** Creates the parent folders, then checks the parent again: a link planted meanwhile must not redirect the write. */
  private async ensureParent(target: WorkspacePath): Promise<void> {
    const parent = dirname(target.path);
    try {
      await mkdir(parent, { recursive: true });
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOTDIR' || code === 'EEXIST') throw wrongType(target.relative, 'path whose parents are folders', 'path below a file');
      throw error;
    }
    const real = await realpath(parent);
    if (real !== parent || !isInsideDirectory(target.workspace, real)) throw outsideWorkspace(target.relative, { resolved: real });
  }
}

/** Refuses glob patterns that could reach outside the workspace before any traversal. */
export function checkGlobPattern(pattern: string): void {
  checkPathForm(pattern);
  if (pattern.startsWith('/')) throw invalidPath(pattern, 'glob patterns are relative to the workspace');
  // Also refuses {1..3} ranges: ".." anywhere could form a parent step after brace expansion.
  if (pattern.includes('..')) throw invalidPath(pattern, 'glob patterns may not contain ".."');
}

/** Reads at most `limit` bytes of a regular file as UTF-8, refusing larger files (`LA_FILE_TOO_LARGE`). */
async function readCapped(path: string, shown: string, limit: number): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | NO_FOLLOW | NON_BLOCK);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw notRegular(shown, 'special file');
    if (stats.size > limit) throw fileTooLarge(shown, stats.size, limit);
    // The file may grow while we read: read one byte past the limit to notice.
    const buffer = Buffer.alloc(Math.min(stats.size, limit) + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buffer.length) {
        if (filled > limit) throw fileTooLarge(shown, filled, limit);
        break;
      }
    }
    return buffer.subarray(0, filled).toString('utf8');
  } finally {
    await handle.close();
  }
}

async function appendNoFollow(path: string, shown: string, content: string): Promise<void> {
  const handle = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | NO_FOLLOW | NON_BLOCK, NEW_FILE_MODE);
  try {
    if (!(await handle.stat()).isFile()) throw notRegular(shown, 'special file');
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}

/** Copies a file so that the destination appears complete or not at all, and a link planted there is replaced, not followed. */
async function copyViaTemp(source: string, destination: string): Promise<void> {
  const temp = join(dirname(destination), `.${basename(destination)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await copyFile(source, temp, constants.COPYFILE_EXCL);
    await rename(temp, destination);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

async function regularOnly(source: string): Promise<boolean> {
  const stats = await lstat(source);
  return stats.isFile() || stats.isDirectory() || stats.isSymbolicLink();
}

function entryType(entry: Pick<Stats, 'isFile' | 'isDirectory' | 'isSymbolicLink'>): FsEntryType {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'directory';
  if (entry.isSymbolicLink()) return 'symlink';
  return 'other';
}

function fileTooLarge(shown: string, size: number, limit: number): UserInputError {
  return new UserInputError({
    code: TOOL_ERROR_CODES.fileTooLarge,
    category: 'permanent',
    message: `"${shown}" is ${size} bytes or more; fs read returns at most ${limit} bytes.`,
    suggestion: 'Read a smaller file, or use a shell task (head, grep) to pick out the part you need.',
    details: { path: shown, size, limit },
  });
}

/** LocalAgent errors pass; errno errors become the sandbox's errors, naming the path the task wrote. */
function translateFsError(error: unknown, shown: string): Error {
  if (error instanceof LocalAgentError) return error;
  switch (errnoCode(error)) {
    case 'ENOENT':
      return pathNotFound(shown);
    case 'EISDIR':
      return wrongType(shown, 'file', 'folder');
    case 'ENOTDIR':
      return wrongType(shown, 'folder', 'file');
    case 'ELOOP':
      return invalidPath(shown, 'a symbolic link appeared where a file was expected');
    default:
      return fsFailure(shown, error);
  }
}
