import type { Stats } from 'node:fs';
import { lstat, readdir, realpath, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { glob } from 'tinyglobby';
import { LocalAgentError, UserInputError } from '../../core/errors/index.js';
import type { AltTask } from '../../formats/index.js';
import {
  appendFileIn,
  checkPathForm,
  copyBetween,
  errnoCode,
  fsFailure,
  invalidPath,
  isInsideDirectory,
  locateInWorkspace,
  moveBetween,
  openFileIn,
  openWorkspaceFolder,
  pathNotFound,
  realWorkspace,
  removeIn,
  splitRelative,
  wrongType,
  writeFileIn,
  type FolderAnchoring,
  type ResolveInWorkspaceOptions,
  type WorkspaceFolder,
  type WorkspacePath,
} from '../../security/sandbox/index.js';
import type { Tool, ToolContext } from '../types/index.js';
import { enforcePolicy, type DecisionListener } from './enforcePolicy.js';
import { TOOL_ERROR_CODES, throwIfAborted } from './toolErrors.js';

export interface FsToolOptions {
  onDecision?: DecisionListener;
  /**
   * How operations reach what they act on after the path check (sandbox.md, "Folder swaps").
   * `auto` (default): through folder handles where the platform allows it (Linux), so a folder
   * swapped for a link meanwhile cannot redirect them. `paths`: by path with identity checks, the
   * fallback elsewhere; tests use it to cover that fallback on Linux.
   */
  anchoring?: FolderAnchoring;
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

/** Mode of files the tool creates; an existing file keeps its own. */
const NEW_FILE_MODE = 0o644;

/**
 * Files in the workspace: every path goes through `resolveInWorkspace` (real paths, no escape by
 * `..` or symbolic links, no devices), and every operation asks the policy with the real path
 * (`fs.read`, `fs.write`, `fs.delete`). It then acts through the sandbox's folder handles
 * (`openWorkspaceFolder`): the checked path is walked again from the workspace without following
 * any link, so swapping a folder for a link between the check and the act cannot send a read, a
 * write, a removal or a rename outside. Writes replace files atomically; outputs name paths
 * relative to the workspace.
 */
export class FsTool implements Tool<'fs'> {
  readonly kind = 'fs' as const;
  private readonly onDecision: DecisionListener | undefined;
  private readonly anchoring: FolderAnchoring;

  constructor(options: FsToolOptions = {}) {
    this.onDecision = options.onDecision;
    this.anchoring = options.anchoring ?? 'auto';
  }

  async run(task: FsTask, context: ToolContext): Promise<FsOutput> {
    throwIfAborted(context.signal, `The file operation ${task.op}`);
    const op = new FsOperation(task, context, this.onDecision, this.anchoring);
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
    private readonly anchoring: FolderAnchoring,
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
    const handle = await this.inParent(file, this.task.path, false, openFileIn);
    return { content: await readCapped(handle, this.task.path, this.context.limits.maxReadBytes) };
  }

  private async write(append: boolean): Promise<FsOutput> {
    const content = this.requireContent();
    const file = await this.locate(this.task.path, { forWrite: true });
    if (file.type === 'directory') throw wrongType(this.task.path, 'file', 'folder');
    await this.ask('fs.write', file, { exists: file.type !== 'missing' });
    await this.inParent(file, this.task.path, true, (folder, name) =>
      append ? appendFileIn(folder, name, content, NEW_FILE_MODE) : writeFileIn(folder, name, content, { mode: NEW_FILE_MODE, keepMode: true }),
    );
    return { path: file.relative };
  }

  private async list(): Promise<FsOutput> {
    const target = await this.locate(this.task.path, { mustExist: true });
    if (target.type !== 'directory') throw wrongType(this.task.path, 'folder', 'file');
    await this.ask('fs.read', target);
    const folder = await this.openFolder(target.workspace, target.relative === '.' ? [] : target.relative.split('/'), this.task.path, false);
    let dirents;
    try {
      dirents = await readdir(folder.self(), { withFileTypes: true });
      // Listed through the held folder; it must still be inside now that its names are known.
      await folder.verify();
    } finally {
      await folder.close();
    }
    const prefix = target.relative === '.' ? '' : `${target.relative}/`;
    const items = dirents
      .map((entry) => ({ path: `${prefix}${entry.name}`, type: entryType(entry) }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { entries: items.map((item) => item.path), items };
  }

  private async stat(): Promise<FsOutput> {
    const target = await this.locate(this.task.path, { mustExist: true, followFinal: false });
    await this.ask('fs.read', target);
    const stats =
      target.relative === '.'
        ? await this.inFolder(target.workspace, [], this.task.path, (folder) => folder.stat())
        : await this.inParent(target, this.task.path, false, async (folder, name) => {
            const found = await lstat(folder.entry(name));
            await folder.verify();
            return found;
          });
    return { size: stats.size, mtime: stats.mtime.toISOString(), type: entryType(stats) };
  }

  private async delete(): Promise<FsOutput> {
    const target = await this.locate(this.task.path, { mustExist: true, forWrite: true, followFinal: false });
    await this.ask('fs.delete', target, { type: target.type });
    // Never follows links: a link is removed, not what it points to, even inside a folder.
    await this.inParent(target, this.task.path, false, removeIn);
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
    await this.inParent(source, this.task.path, false, (from, fromName) =>
      this.inParent(destination, to, true, (into, intoName) => moveBetween(from, fromName, into, intoName)),
    );
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
    // Files through a temp file and a rename; folders recursively, links kept as links (the
    // sandbox checks them when they are used), devices, FIFOs and sockets skipped.
    await this.inParent(source, this.task.path, false, (from, fromName) =>
      this.inParent(destination, to, true, (into, intoName) => copyBetween(from, fromName, into, intoName)),
    );
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
    // keep only matches whose real path is inside. Glob returns names, never content.
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

  /** Opens the folder `parts` of the workspace (its real path), walked from it without following links. */
  private openFolder(workspace: string, parts: readonly string[], shown: string, create: boolean): Promise<WorkspaceFolder> {
    return openWorkspaceFolder(workspace, parts, { create, shown, anchoring: this.anchoring });
  }

  /** Runs `act` on the folder `parts` of the workspace, held open, and closes it. */
  private async inFolder<T>(workspace: string, parts: readonly string[], shown: string, act: (folder: WorkspaceFolder) => Promise<T>, create = false): Promise<T> {
    const folder = await this.openFolder(workspace, parts, shown, create);
    try {
      return await act(folder);
    } finally {
      await folder.close();
    }
  }

  /**
   * Runs `act` on the folder holding `target` and the target's last name. With `create`, missing
   * folders on the way are made (the path check allowed them; the walk makes each inside the one
   * before).
   */
  private inParent<T>(target: WorkspacePath, shown: string, create: boolean, act: (folder: WorkspaceFolder, name: string) => Promise<T>): Promise<T> {
    const split = splitRelative(target.relative);
    // The workspace itself has no parent; every caller refused it before (forWrite, or a type check).
    if (split === undefined) throw invalidPath(shown, 'it is the workspace folder itself');
    return this.inFolder(target.workspace, split.parts, shown, (folder) => act(folder, split.name), create);
  }
}

/** Refuses glob patterns that could reach outside the workspace before any traversal. */
export function checkGlobPattern(pattern: string): void {
  checkPathForm(pattern);
  if (pattern.startsWith('/')) throw invalidPath(pattern, 'glob patterns are relative to the workspace');
  // Also refuses {1..3} ranges: ".." anywhere could form a parent step after brace expansion.
  if (pattern.includes('..')) throw invalidPath(pattern, 'glob patterns may not contain ".."');
}

/**
 * Reads at most `limit` bytes of an open regular file as UTF-8, refusing larger files
 * (`LA_FILE_TOO_LARGE`), and closes it.
 */
async function readCapped(handle: FileHandle, shown: string, limit: number): Promise<string> {
  try {
    const stats = await handle.stat();
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
