import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PolicyDeniedError, StorageError, UserInputError } from '../../core/errors/index.js';
import { checkPathForm, errnoCode, fsFailure, isInsideDirectory, locateInWorkspace, realWorkspace, resolveInWorkspace, toPortableRelative } from './index.js';

describe('resolveInWorkspace', () => {
  let base: string;
  let ws: string;
  let outside: string;

  beforeEach(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), 'la-sandbox-')));
    ws = join(base, 'ws');
    outside = join(base, 'outside');
    await mkdir(join(ws, 'sub'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(ws, 'a.txt'), 'a');
    await writeFile(join(ws, 'sub', 'b.txt'), 'b');
    await writeFile(join(outside, 'secret.txt'), 'secret');
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  async function refusal(path: string, options = {}): Promise<PolicyDeniedError> {
    const error = await resolveInWorkspace(ws, path, options).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error, path).toBeInstanceOf(PolicyDeniedError);
    return error as PolicyDeniedError;
  }

  it('resolves paths inside the workspace to real paths', async () => {
    expect(await resolveInWorkspace(ws, 'a.txt')).toBe(join(ws, 'a.txt'));
    expect(await resolveInWorkspace(ws, './sub/../a.txt')).toBe(join(ws, 'a.txt'));
    expect(await resolveInWorkspace(ws, 'sub/b.txt', { mustExist: true })).toBe(join(ws, 'sub', 'b.txt'));
    expect(await resolveInWorkspace(ws, '.')).toBe(ws);
    expect(await resolveInWorkspace(ws, join(ws, 'sub'))).toBe(join(ws, 'sub'));
    // Names that merely start with dots are names, not parent references.
    expect(await resolveInWorkspace(ws, '..foo')).toBe(join(ws, '..foo'));
    // No home expansion: "~" is an ordinary folder name inside the workspace.
    expect(await resolveInWorkspace(ws, '~/x')).toBe(join(ws, '~', 'x'));
  });

  it('accepts a workspace given through a symbolic link and returns the real form', async () => {
    const alias = join(base, 'alias');
    await symlink(ws, alias);
    expect(await resolveInWorkspace(alias, 'a.txt')).toBe(join(ws, 'a.txt'));
    expect(await resolveInWorkspace(alias, join(alias, 'sub', 'b.txt'))).toBe(join(ws, 'sub', 'b.txt'));
  });

  it('appends a missing tail to the real existing prefix', async () => {
    const located = await locateInWorkspace(ws, 'sub/new/deeper/file.txt');
    expect(located).toEqual({ path: join(ws, 'sub', 'new', 'deeper', 'file.txt'), relative: 'sub/new/deeper/file.txt', workspace: ws, type: 'missing' });
    const file = await locateInWorkspace(ws, 'a.txt');
    expect(file.type).toBe('file');
    expect((await locateInWorkspace(ws, '.')).relative).toBe('.');
    expect((await locateInWorkspace(ws, 'sub')).type).toBe('directory');
  });

  it.each([
    ['../x'],
    ['a/../../x'],
    ['sub/../../outside/secret.txt'],
    ['/etc/passwd'],
    ['/'],
    ['..'],
  ])('refuses %s as outside the workspace', async (path) => {
    const error = await refusal(path);
    expect(error.code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain(path);
  });

  it.each([
    ['%2e%2e/x', 'URL-encoded'],
    ['%2E%2E%2Fx', 'URL-encoded'],
    ['a%2fb', 'URL-encoded'],
    ['%252e%252e/x', 'URL-encoded'],
    ['..%5cx', 'URL-encoded'],
    ['..\\x', 'backslash'],
    ['sub\\..\\..\\x', 'backslash'],
    ['\\\\server\\share\\x', 'backslash'],
    ['C:\\x', 'backslash'],
    ['C:/x', 'Windows drive'],
    ['c:x', 'Windows drive'],
    ['a.txt\0.png', 'NUL'],
    ['a\nb', 'control character'],
    ['', 'empty'],
    ['x'.repeat(5000), 'longer than'],
  ])('refuses the form of %j', async (path, why) => {
    const error = await refusal(path);
    expect(error.code).toBe('LA_PATH_INVALID');
    expect(error.message).toContain(why);
    expect(error.message).not.toContain('\0');
  });

  it('allows a plain percent sign', async () => {
    expect(await resolveInWorkspace(ws, '100%.txt')).toBe(join(ws, '100%.txt'));
    expect(() => checkPathForm('50%off')).not.toThrow();
  });

  it('refuses a symbolic link inside that points outside, for reads and for writes', async () => {
    await symlink(join(outside, 'secret.txt'), join(ws, 'link-file'));
    await symlink(outside, join(ws, 'link-dir'));
    expect((await refusal('link-file', { mustExist: true })).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
    expect((await refusal('link-dir/secret.txt')).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
    // A new file in a linked folder: the parent's real path decides.
    expect((await refusal('link-dir/new.txt', { forWrite: true })).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
    expect((await refusal('link-dir/deep/new.txt', { forWrite: true })).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
  });

  it('follows a dangling link to where a write would land', async () => {
    await symlink(join(outside, 'created-by-write.txt'), join(ws, 'dangling-out'));
    await symlink(join(ws, 'sub', 'target.txt'), join(ws, 'dangling-in'));
    await symlink('missing-dir/x.txt', join(ws, 'sub', 'dangling-rel'));
    await symlink(join(outside, 'nope', 'deeper'), join(ws, 'dangling-dir'));
    expect((await refusal('dangling-out', { forWrite: true })).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
    expect((await refusal('dangling-dir/file.txt', { forWrite: true })).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
    expect(await resolveInWorkspace(ws, 'dangling-in', { forWrite: true })).toBe(join(ws, 'sub', 'target.txt'));
    expect(await resolveInWorkspace(ws, 'sub/dangling-rel')).toBe(join(ws, 'sub', 'missing-dir', 'x.txt'));
  });

  it('accepts links that stay inside and returns their target', async () => {
    await symlink(join(ws, 'sub'), join(ws, 'inner'));
    await symlink('../a.txt', join(ws, 'sub', 'rel-link'));
    expect(await resolveInWorkspace(ws, 'inner/b.txt')).toBe(join(ws, 'sub', 'b.txt'));
    expect(await resolveInWorkspace(ws, 'sub/rel-link')).toBe(join(ws, 'a.txt'));
  });

  it('with followFinal: false, names the link itself but still resolves its folder', async () => {
    await symlink(join(outside, 'secret.txt'), join(ws, 'link-file'));
    await symlink(outside, join(ws, 'link-dir'));
    const located = await locateInWorkspace(ws, 'link-file', { followFinal: false, mustExist: true });
    expect(located).toMatchObject({ path: join(ws, 'link-file'), type: 'symlink' });
    expect((await refusal('link-dir/secret.txt', { followFinal: false })).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
    expect(await resolveInWorkspace(ws, '.', { followFinal: false })).toBe(ws);
  });

  it('refuses symbolic link loops', async () => {
    await symlink(join(ws, 'loop-b'), join(ws, 'loop-a'));
    await symlink(join(ws, 'loop-a'), join(ws, 'loop-b'));
    expect((await refusal('loop-a')).code).toBe('LA_PATH_INVALID');
    expect((await refusal('loop-a/x', { forWrite: true })).message).toContain('loop');
  });

  it('refuses a loop of dangling links followed by hand', async () => {
    // Each link names a missing child of the next, so realpath reports ENOENT, not ELOOP.
    await symlink(join(ws, 'hand-b', 'x'), join(ws, 'hand-a'));
    await symlink(join(ws, 'hand-a', 'x'), join(ws, 'hand-b'));
    expect((await refusal('hand-a', { forWrite: true })).code).toBe('LA_PATH_INVALID');
  });

  it('refuses devices, FIFOs and sockets', async () => {
    await symlink('/dev/null', join(ws, 'null-link'));
    // Through a link, /dev/null is outside the workspace first of all.
    expect((await refusal('null-link')).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
    expect((await refusal('/dev/null')).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');

    execFileSync('mkfifo', [join(ws, 'fifo')]);
    const fifo = await refusal('fifo');
    expect(fifo.code).toBe('LA_PATH_NOT_REGULAR');
    expect(fifo.message).toContain('FIFO');
    expect((await refusal('fifo', { followFinal: false })).code).toBe('LA_PATH_NOT_REGULAR');

    const server: Server = createServer();
    await new Promise<void>((done) => server.listen(join(ws, 'sock'), done));
    try {
      const socket = await refusal('sock');
      expect(socket.code).toBe('LA_PATH_NOT_REGULAR');
      expect(socket.message).toContain('socket');
    } finally {
      await new Promise((done) => server.close(done));
    }
  });

  it('refuses the workspace itself as a write target', async () => {
    const error = await refusal('.', { forWrite: true });
    expect(error.code).toBe('LA_PATH_INVALID');
    expect((await refusal(`sub/..`, { forWrite: true })).code).toBe('LA_PATH_INVALID');
  });

  it('reports a missing path when it must exist', async () => {
    const error = await resolveInWorkspace(ws, 'nope.txt', { mustExist: true }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).code).toBe('LA_PATH_NOT_FOUND');
    // Below a file: nothing can exist there.
    const below = await resolveInWorkspace(ws, 'a.txt/x', { mustExist: true }).catch((thrown: unknown) => thrown);
    expect((below as UserInputError).code).toBe('LA_PATH_NOT_FOUND');
    expect(await resolveInWorkspace(ws, 'a.txt/x')).toBe(join(ws, 'a.txt', 'x'));
  });

  it('checks the workspace itself', async () => {
    await expect(realWorkspace('relative/ws')).rejects.toMatchObject({ code: 'LA_PATH_INVALID' });
    await expect(realWorkspace(join(base, 'missing'))).rejects.toMatchObject({ code: 'LA_PATH_NOT_FOUND' });
    await expect(realWorkspace(join(ws, 'a.txt'))).rejects.toMatchObject({ code: 'LA_PATH_INVALID' });
    await expect(realWorkspace(join(ws, 'a.txt', 'x'))).rejects.toMatchObject({ code: 'LA_FS_FAILED' });
    expect(await realWorkspace(ws)).toBe(ws);
  });
});

describe('sandbox helpers', () => {
  it('tells inside from outside without being fooled by prefixes', () => {
    expect(isInsideDirectory('/w/ws', '/w/ws')).toBe(true);
    expect(isInsideDirectory('/w/ws', '/w/ws/a/b')).toBe(true);
    expect(isInsideDirectory('/w/ws', '/w/ws/..a')).toBe(true);
    expect(isInsideDirectory('/w/ws', '/w/ws2/a')).toBe(false);
    expect(isInsideDirectory('/w/ws', '/w')).toBe(false);
    expect(isInsideDirectory('/w/ws', '/etc/passwd')).toBe(false);
  });

  it('formats relative paths and file-system failures', () => {
    expect(toPortableRelative('/w', '/w/a/b')).toBe('a/b');
    expect(toPortableRelative('/w', '/w')).toBe('.');
    expect(errnoCode(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe('EACCES');
    expect(errnoCode('EACCES')).toBeUndefined();
    const failure = fsFailure('x.txt', Object.assign(new Error('permission denied'), { code: 'EACCES' }));
    expect(failure).toBeInstanceOf(StorageError);
    expect(failure).toMatchObject({ code: 'LA_FS_FAILED', category: 'permanent', details: { path: 'x.txt', errno: 'EACCES' } });
    expect(fsFailure('y', 'odd').details).toEqual({ path: 'y' });
  });
});
