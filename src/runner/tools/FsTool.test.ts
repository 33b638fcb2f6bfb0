import { execFileSync, spawn } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalRequiredError, LocalAgentError, PolicyDeniedError } from '../../core/errors/index.js';
import type { AltTask } from '../../formats/index.js';
import { CedarPolicy } from '../../security/policy/index.js';
import { FsTool, checkGlobPattern } from './index.js';
import { FixedPolicy, failure, toolContext } from './test-support/toolContext.js';

type FsTask = Extract<AltTask, { kind: 'fs' }>;

function task(op: FsTask['op'], path: string, extra: Partial<FsTask> = {}): FsTask {
  return { id: 't', kind: 'fs', op, path, ...extra };
}

// Every behaviour holds both ways: through folder handles (`auto`, Linux) and by checked paths (the fallback elsewhere).
describe.each(['auto', 'paths'] as const)('FsTool (anchoring: %s)', (anchoring) => {
  let base: string;
  let ws: string;
  let outside: string;
  const tool = new FsTool({ anchoring });

  beforeEach(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), 'la-fs-')));
    ws = join(base, 'ws');
    outside = join(base, 'outside');
    await mkdir(join(ws, 'sub', 'deep'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(ws, 'a.txt'), 'alpha');
    await writeFile(join(ws, 'sub', 'b.md'), '# b');
    await writeFile(join(ws, 'sub', 'deep', 'c.ts'), 'export {};');
    await writeFile(join(outside, 'secret.txt'), 'secret');
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });


  const run = (t: FsTask, overrides = {}): Promise<unknown> => tool.run(t, toolContext(ws, overrides));

  describe('read', () => {
    it('returns the content as text', async () => {
      expect(await run(task('read', 'a.txt'))).toEqual({ content: 'alpha' });
      expect(await run(task('read', './sub/../sub/b.md'))).toEqual({ content: '# b' });
    });

    it('refuses files over the read limit, folders and missing files', async () => {
      await writeFile(join(ws, 'big.txt'), 'x'.repeat(2000));
      const limits = { maxOutputBytes: 1000, maxReadBytes: 1000, defaultTimeoutMs: 1000 };
      const big = await failure(run(task('read', 'big.txt'), { limits }));
      expect(big).toMatchObject({ code: 'LA_FILE_TOO_LARGE', details: { size: 2000, limit: 1000 } });
      expect(await run(task('read', 'a.txt'), { limits: { ...limits, maxReadBytes: 5 } })).toEqual({ content: 'alpha' });
      expect((await failure(run(task('read', 'sub')))).code).toBe('LA_PATH_WRONG_TYPE');
      expect((await failure(run(task('read', 'nope.txt')))).code).toBe('LA_PATH_NOT_FOUND');
    });

    it.each([['../outside/secret.txt'], ['a/../../outside/secret.txt'], ['/etc/passwd'], ['%2e%2e/outside/secret.txt'], ['..\\outside\\secret.txt'], ['C:\\x'], ['a.txt\0']])(
      'refuses %j',
      async (path) => {
        const error = await failure(run(task('read', path)));
        expect(error).toBeInstanceOf(PolicyDeniedError);
        expect(['LA_PATH_OUTSIDE_WORKSPACE', 'LA_PATH_INVALID']).toContain(error.code);
      },
    );

    it('refuses symbolic links that lead out, and device files reached through them', async () => {
      await symlink(join(outside, 'secret.txt'), join(ws, 'leak.txt'));
      await symlink(outside, join(ws, 'linked'));
      await symlink('/dev/null', join(ws, 'null'));
      await symlink('/dev/zero', join(ws, 'zero'));
      for (const path of ['leak.txt', 'linked/secret.txt', 'null', 'zero']) {
        expect((await failure(run(task('read', path)))).code, path).toBe('LA_PATH_OUTSIDE_WORKSPACE');
      }
    });

    it('refuses FIFOs inside the workspace', async () => {
      execFileSync('mkfifo', [join(ws, 'pipe')]);
      expect((await failure(run(task('read', 'pipe')))).code).toBe('LA_PATH_NOT_REGULAR');
      expect((await failure(run(task('write', 'pipe', { content: 'x' })))).code).toBe('LA_PATH_NOT_REGULAR');
    });
  });

  describe('write and append', () => {
    it('writes atomically, creating folders, keeping an existing file\'s mode', async () => {
      expect(await run(task('write', 'out/new/hello.txt', { content: 'hi' }))).toEqual({ path: 'out/new/hello.txt' });
      expect(await readFile(join(ws, 'out', 'new', 'hello.txt'), 'utf8')).toBe('hi');
      expect((await stat(join(ws, 'out', 'new', 'hello.txt'))).mode & 0o777).toBe(0o644);
      execFileSync('chmod', ['600', join(ws, 'a.txt')]);
      await run(task('write', 'a.txt', { content: '' }));
      expect(await readFile(join(ws, 'a.txt'), 'utf8')).toBe('');
      expect((await stat(join(ws, 'a.txt'))).mode & 0o777).toBe(0o600);
    });

    it('appends, creating the file when missing', async () => {
      expect(await run(task('append', 'a.txt', { content: '+1' }))).toEqual({ path: 'a.txt' });
      await run(task('append', 'logs/run.log', { content: 'line\n' }));
      await run(task('append', 'logs/run.log', { content: 'line\n' }));
      expect(await readFile(join(ws, 'a.txt'), 'utf8')).toBe('alpha+1');
      expect(await readFile(join(ws, 'logs', 'run.log'), 'utf8')).toBe('line\nline\n');
    });

    it('refuses to write through a link to a folder outside, or a dangling link outside', async () => {
      await symlink(outside, join(ws, 'linked'));
      await symlink(join(outside, 'planted.txt'), join(ws, 'dangling.txt'));
      for (const [op, path] of [
        ['write', 'linked/new.txt'],
        ['append', 'linked/secret.txt'],
        ['write', 'linked/deeper/new.txt'],
        ['write', 'dangling.txt'],
        ['append', 'dangling.txt'],
      ] as const) {
        expect((await failure(run(task(op, path, { content: 'x' })))).code, `${op} ${path}`).toBe('LA_PATH_OUTSIDE_WORKSPACE');
      }
      expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret');
      await expect(lstat(join(outside, 'planted.txt'))).rejects.toThrow();
      await expect(lstat(join(outside, 'new.txt'))).rejects.toThrow();
    });

    it('writes through a link that stays inside', async () => {
      await symlink(join(ws, 'sub'), join(ws, 'inner'));
      expect(await run(task('write', 'inner/x.txt', { content: 'x' }))).toEqual({ path: 'sub/x.txt' });
    });

    it('refuses folders, paths below files, the workspace itself and missing content', async () => {
      expect((await failure(run(task('write', 'sub', { content: 'x' })))).code).toBe('LA_PATH_WRONG_TYPE');
      expect((await failure(run(task('write', 'a.txt/x', { content: 'x' })))).code).toBe('LA_PATH_WRONG_TYPE');
      expect((await failure(run(task('write', '.', { content: 'x' })))).code).toBe('LA_PATH_INVALID');
      expect((await failure(run(task('write', 'x.txt')))).code).toBe('LA_INPUT_INVALID');
    });
  });

  describe('list, stat and glob', () => {
    it('lists a folder with entry types, paths relative to the workspace', async () => {
      await symlink('a.txt', join(ws, 'link'));
      expect(await run(task('list', '.'))).toEqual({
        entries: ['a.txt', 'link', 'sub'],
        items: [
          { path: 'a.txt', type: 'file' },
          { path: 'link', type: 'symlink' },
          { path: 'sub', type: 'directory' },
        ],
      });
      expect(await run(task('list', 'sub'))).toMatchObject({ entries: ['sub/b.md', 'sub/deep'] });
      expect((await failure(run(task('list', 'a.txt')))).code).toBe('LA_PATH_WRONG_TYPE');
      execFileSync('mkfifo', [join(ws, 'sub', 'deep', 'pipe')]);
      expect(await run(task('list', 'sub/deep'))).toMatchObject({ items: [{ path: 'sub/deep/c.ts', type: 'file' }, { path: 'sub/deep/pipe', type: 'other' }] });
    });

    it('stats files, folders and links themselves (not their targets)', async () => {
      await symlink(join(outside, 'secret.txt'), join(ws, 'leak'));
      const file = (await run(task('stat', 'a.txt'))) as { size: number; mtime: string; type: string };
      expect(file.size).toBe(5);
      expect(file.type).toBe('file');
      expect(new Date(file.mtime).toISOString()).toBe(file.mtime);
      expect(await run(task('stat', 'sub'))).toMatchObject({ type: 'directory' });
      expect(await run(task('stat', 'leak'))).toMatchObject({ type: 'symlink' });
      expect((await failure(run(task('stat', 'nope')))).code).toBe('LA_PATH_NOT_FOUND');
    });

    it('globs inside the workspace only, not following links out', async () => {
      await symlink(outside, join(ws, 'linked'));
      await symlink(join(outside, 'secret.txt'), join(ws, 'leak.txt'));
      await symlink(join(ws, 'a.txt'), join(ws, 'alias.txt'));
      expect(await run(task('glob', '**/*.ts'))).toEqual({ entries: ['sub/deep/c.ts'] });
      expect(await run(task('glob', '*.txt'))).toEqual({ entries: ['a.txt'] });
      expect(await run(task('glob', 'linked/*.txt'))).toEqual({ entries: [] });
      expect(await run(task('glob', 'sub/**'))).toEqual({ entries: ['sub/b.md', 'sub/deep/c.ts'] });
      for (const pattern of ['../outside/*.txt', '/etc/*', 'sub/{..,x}/*', '..\\*', '%2e%2e/*']) {
        expect((await failure(run(task('glob', pattern)))).code, pattern).toBe('LA_PATH_INVALID');
      }
    });

    it('checks glob patterns on their own', () => {
      expect(() => checkGlobPattern('src/**/*.{ts,js}')).not.toThrow();
      expect(() => checkGlobPattern('a/../b')).toThrow(/may not contain/);
    });
  });

  describe('delete, move and copy', () => {
    it('deletes files and folders, and a link itself rather than its target', async () => {
      await symlink(join(outside, 'secret.txt'), join(ws, 'leak'));
      await symlink(outside, join(ws, 'linked'));
      expect(await run(task('delete', 'a.txt'))).toEqual({ path: 'a.txt' });
      expect(await run(task('delete', 'sub'))).toEqual({ path: 'sub' });
      expect(await run(task('delete', 'leak'))).toEqual({ path: 'leak' });
      expect(await run(task('delete', 'linked'))).toEqual({ path: 'linked' });
      expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret');
      await expect(lstat(join(ws, 'sub'))).rejects.toThrow();
      expect((await failure(run(task('delete', '.')))).code).toBe('LA_PATH_INVALID');
      expect((await failure(run(task('delete', 'linked/secret.txt')))).code).toBe('LA_PATH_NOT_FOUND');
      expect((await failure(run(task('delete', '../outside/secret.txt')))).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
    });

    it('moves files and folders, creating the destination folder', async () => {
      expect(await run(task('move', 'a.txt', { to: 'archive/a.txt' }))).toEqual({ path: 'archive/a.txt' });
      expect(await readFile(join(ws, 'archive', 'a.txt'), 'utf8')).toBe('alpha');
      expect(await run(task('move', 'sub', { to: 'moved' }))).toEqual({ path: 'moved' });
      expect(await readFile(join(ws, 'moved', 'deep', 'c.ts'), 'utf8')).toBe('export {};');
      expect(await run(task('move', 'moved', { to: 'moved' }))).toEqual({ path: 'moved' });
    });

    it('moves a link itself, and replaces a link at the destination instead of writing through it', async () => {
      await symlink(join(outside, 'secret.txt'), join(ws, 'leak'));
      await symlink(join(outside, 'secret.txt'), join(ws, 'trap'));
      expect(await run(task('move', 'leak', { to: 'renamed-link' }))).toEqual({ path: 'renamed-link' });
      expect(await readlink(join(ws, 'renamed-link'))).toBe(join(outside, 'secret.txt'));
      await run(task('move', 'a.txt', { to: 'trap' }), { approved: true });
      expect(await readFile(join(ws, 'trap'), 'utf8')).toBe('alpha');
      expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret');
    });

    it('refuses moves out of the workspace, into itself, onto a folder, and without a destination', async () => {
      expect((await failure(run(task('move', 'a.txt', { to: '../outside/a.txt' })))).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
      expect((await failure(run(task('move', 'sub', { to: 'sub/deep/sub' })))).code).toBe('LA_INPUT_INVALID');
      expect((await failure(run(task('move', 'a.txt', { to: 'sub' })))).code).toBe('LA_PATH_WRONG_TYPE');
      expect((await failure(run(task('move', 'a.txt')))).code).toBe('LA_INPUT_INVALID');
      expect((await failure(run(task('move', 'nope', { to: 'x' })))).code).toBe('LA_PATH_NOT_FOUND');
    });

    it('copies files and folders, skipping FIFOs and keeping links as links', async () => {
      expect(await run(task('copy', 'a.txt', { to: 'copies/a.txt' }))).toEqual({ path: 'copies/a.txt' });
      expect(await readFile(join(ws, 'copies', 'a.txt'), 'utf8')).toBe('alpha');
      await run(task('copy', 'sub/b.md', { to: 'a.txt' }));
      expect(await readFile(join(ws, 'a.txt'), 'utf8')).toBe('# b');
      execFileSync('mkfifo', [join(ws, 'sub', 'pipe')]);
      await symlink('b.md', join(ws, 'sub', 'rel-link'));
      expect(await run(task('copy', 'sub', { to: 'sub-copy' }))).toEqual({ path: 'sub-copy' });
      expect(await readFile(join(ws, 'sub-copy', 'deep', 'c.ts'), 'utf8')).toBe('export {};');
      expect(await readlink(join(ws, 'sub-copy', 'rel-link'))).toBe('b.md');
      await expect(lstat(join(ws, 'sub-copy', 'pipe'))).rejects.toThrow();
      expect(await run(task('copy', 'a.txt', { to: 'a.txt' }))).toEqual({ path: 'a.txt' });
    });

    it('refuses copies that leave the workspace or mix files and folders', async () => {
      await symlink(outside, join(ws, 'linked'));
      expect((await failure(run(task('copy', 'a.txt', { to: 'linked/a.txt' })))).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
      expect((await failure(run(task('copy', 'linked/secret.txt', { to: 'stolen.txt' })))).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
      expect((await failure(run(task('copy', 'a.txt', { to: 'sub' })))).code).toBe('LA_PATH_WRONG_TYPE');
      expect((await failure(run(task('copy', 'sub', { to: 'a.txt' })))).code).toBe('LA_PATH_WRONG_TYPE');
      expect((await failure(run(task('copy', 'sub', { to: 'sub/deep/again' })))).code).toBe('LA_INPUT_INVALID');
    });
  });

  describe('policy', () => {
    const policy = new CedarPolicy();

    it('asks the policy per operation with the real path', async () => {
      const recording = new FixedPolicy('allow');
      await run(task('read', 'sub/../a.txt'), { policy: recording });
      await run(task('write', 'n.txt', { content: '' }), { policy: recording });
      await run(task('delete', 'n.txt'), { policy: recording });
      await run(task('glob', '*.txt'), { policy: recording });
      expect(recording.requests.map((r) => [r.action, r.resource, r.context.op])).toEqual([
        ['fs.read', join(ws, 'a.txt'), 'read'],
        ['fs.write', join(ws, 'n.txt'), 'write'],
        ['fs.delete', join(ws, 'n.txt'), 'delete'],
        ['fs.read', ws, 'glob'],
      ]);
    });

    it('needs approval to delete, or to move over an existing file; not to write', async () => {
      const del = await failure(run(task('delete', 'a.txt'), { policy }));
      expect(del).toBeInstanceOf(ApprovalRequiredError);
      expect(del.details).toMatchObject({ action: 'fs.delete', rules: ['fs.approve.delete'] });
      expect(await readFile(join(ws, 'a.txt'), 'utf8')).toBe('alpha');
      expect((await failure(run(task('move', 'sub/b.md', { to: 'a.txt' }), { policy }))).code).toBe('LA_APPROVAL_REQUIRED');
      expect(await run(task('move', 'sub/b.md', { to: 'b.md' }), { policy })).toEqual({ path: 'b.md' });
      expect(await run(task('write', 'a.txt', { content: 'new' }), { policy })).toEqual({ path: 'a.txt' });
      expect(await run(task('delete', 'a.txt'), { policy, approved: true })).toEqual({ path: 'a.txt' });
    });

    it('stops on deny before touching anything', async () => {
      const error = await failure(run(task('write', 'x.txt', { content: 'x' }), { policy: new FixedPolicy('deny') }));
      expect(error).toMatchObject({ code: 'LA_POLICY_DENIED', details: { rules: ['test.deny'] } });
      await expect(lstat(join(ws, 'x.txt'))).rejects.toThrow();
    });

    it('refuses to start when the task is already cancelled', async () => {
      const controller = new AbortController();
      controller.abort();
      expect((await failure(run(task('read', 'a.txt'), { signal: controller.signal }))).code).toBe('LA_CANCELLED');
    });
  });
});

/**
 * Another process swaps a folder the tasks work in between a real folder and a link to the
 * outside, as fast as it can, while hundreds of operations run. Which ones succeed is up to
 * timing; none may read, change, create or remove anything outside. Linux only: elsewhere the
 * fallback narrows the window without closing it (sandbox.md, "Folder swaps").
 */
describe.runIf(process.platform === 'linux')('FsTool: a folder swapped for a link to the outside while operations run', () => {
  let base: string;
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  /** Every path under `dir` with its content, or its link target. */
  async function contents(dir: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name);
      out[path.slice(dir.length + 1)] = entry.isSymbolicLink() ? `-> ${await readlink(path)}` : entry.isFile() ? await readFile(path, 'utf8') : '/';
    }
    return out;
  }

  it('reads nothing outside and writes, moves, copies or deletes nothing there', async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), 'la-fs-race-')));
    const ws = join(base, 'ws');
    const outside = join(base, 'outside');
    const d = join(ws, 'd');
    const perKind = 150;
    await mkdir(join(ws, 'tree', 'sub'), { recursive: true });
    await mkdir(d);
    await mkdir(outside);
    await writeFile(join(ws, 'tree', 'one.txt'), 'one');
    await writeFile(join(ws, 'tree', 'sub', 'two.txt'), 'two');
    await writeFile(join(d, 'canary.txt'), 'inside\n');
    await writeFile(join(outside, 'canary.txt'), 'do not touch\n');
    await writeFile(join(outside, 'only-outside.txt'), 'outside');
    for (let i = 0; i < perKind; i += 1) {
      await writeFile(join(d, `m${i}`), 'mine');
      await writeFile(join(d, `x${i}`), 'mine');
      await writeFile(join(outside, `m${i}`), 'bait');
      await writeFile(join(outside, `x${i}`), 'bait');
    }
    const before = await contents(outside);
    const tool = new FsTool();
    const tasks: FsTask[] = Array.from({ length: perKind }, (_, i) => [
      task('write', `d/w${i}.txt`, { content: 'w' }),
      task('append', `d/a${i}.txt`, { content: 'a' }),
      task('copy', 'tree/one.txt', { to: `d/c${i}.txt` }),
      task('copy', 'tree', { to: `d/t${i}` }),
      task('move', `d/m${i}`, { to: `d/m${i}.moved` }),
      task('delete', `d/x${i}`),
      task('read', 'd/canary.txt'),
      task('stat', 'd/canary.txt'),
      task('list', 'd'),
    ]).flat();

    const swapper = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('node:fs');
         const [d, real, outside] = process.argv.slice(1);
         for (;;) {
           try { fs.renameSync(d, real); } catch {}
           try { fs.symlinkSync(outside, d); } catch {}
           try { fs.unlinkSync(d); } catch { try { fs.rmSync(d, { recursive: true, force: true }); } catch {} }
           try { fs.renameSync(real, d); } catch {}
         }`,
        d,
        join(ws, 'd.real'),
        outside,
      ],
      { stdio: 'ignore' },
    );
    const results: PromiseSettledResult<unknown>[] = [];
    try {
      for (let at = 0; at < tasks.length; at += 16) {
        results.push(...(await Promise.allSettled(tasks.slice(at, at + 16).map((t) => tool.run(t, toolContext(ws))))));
      }
    } finally {
      swapper.kill('SIGKILL');
      await new Promise((resolve) => swapper.once('exit', resolve));
    }

    expect(await contents(outside)).toEqual(before);
    results.forEach((result, index) => {
      const t = tasks[index] as FsTask;
      if (result.status === 'rejected') {
        // A refusal, or the folder missing or changed under the operation.
        expect(result.reason, `${t.op} ${t.path}`).toBeInstanceOf(LocalAgentError);
        expect(['LA_PATH_OUTSIDE_WORKSPACE', 'LA_PATH_INVALID', 'LA_PATH_NOT_FOUND', 'LA_PATH_WRONG_TYPE', 'LA_FS_FAILED']).toContain((result.reason as LocalAgentError).code);
        return;
      }
      const output = JSON.stringify(result.value);
      expect(output).not.toMatch(/do not touch|bait|only-outside/);
      if (t.op === 'read') expect(result.value).toEqual({ content: 'inside\n' });
      if (t.op === 'stat') expect(result.value).toMatchObject({ size: 'inside\n'.length, type: 'file' });
    });
  });
});

