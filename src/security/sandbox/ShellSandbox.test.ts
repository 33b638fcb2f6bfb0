import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../core/errors/index.js';
import { findProgram, ShellSandbox, signalSandbox, userHomeDirs, type SandboxCommand, type ShellSandboxOptions } from './index.js';
import { bwrapForTests, describeWithBwrap } from './test-support/bwrapForTests.js';

describe('ShellSandbox', () => {
  let dir: string;
  let ws: string;
  beforeEach(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'la-shellsandbox-')));
    ws = join(dir, 'ws');
    await mkdir(ws);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const sandbox = (options: Partial<ShellSandboxOptions>): ShellSandbox =>
    new ShellSandbox({ mode: 'auto', localAgentHome: join(dir, 'agent'), homeDirs: [], searchPath: process.env.PATH, ...options });
  const command = (): SandboxCommand => ({ argv: ['echo', 'hi'], cwd: ws, workspace: ws, env: { PATH: '/usr/bin', TMPDIR: join(dir, 'tmp') }, network: false });

  /** A real script standing in for bwrap that counts how often it is run. */
  async function countingBwrap(): Promise<string> {
    const path = join(dir, 'bwrap');
    await writeFile(path, `#!/bin/sh\necho run >> "${join(dir, 'runs.log')}"\necho "bubblewrap 0.9.0"\n`, { mode: 0o755 });
    return path;
  }

  it('tries bubblewrap once per object, however often it is asked', async () => {
    const shellSandbox = sandbox({ bwrapPath: await countingBwrap() });
    const [first, second] = await Promise.all([shellSandbox.status(), shellSandbox.status()]);
    await shellSandbox.wrap(command());
    await shellSandbox.ready();
    expect(first).toBe(second);
    expect(first).toMatchObject({ mode: 'auto', active: true, bwrap: { available: true, version: '0.9.0' } });
    // --version, then the trial: two runs, and none more for the later questions.
    expect((await readFile(join(dir, 'runs.log'), 'utf8')).trim().split('\n')).toHaveLength(2);
    // Another app (another object) finds out for itself.
    await sandbox({ bwrapPath: await countingBwrap() }).status();
    expect((await readFile(join(dir, 'runs.log'), 'utf8')).trim().split('\n')).toHaveLength(4);
  });

  it('off: never wraps and never runs bubblewrap for a task, but doctor still learns whether it would work', async () => {
    const bwrapPath = await countingBwrap();
    const off = sandbox({ mode: 'off', bwrapPath });
    expect(await off.wrap(command())).toEqual({ argv: ['echo', 'hi'], env: command().env, isolation: 'none', network: true });
    await off.ready();
    await expect(readFile(join(dir, 'runs.log'), 'utf8')).rejects.toThrow();
    expect(off.mode).toBe('off');
    const status = await off.status();
    expect(status).toMatchObject({ mode: 'off', active: false, reason: 'disabled', bwrap: { available: true } });
    expect(status.suggestion).toContain('security.sandbox to auto');
  });

  it('auto without bubblewrap: runs plainly; bwrap without it: refuses with what to do', async () => {
    const missing = join(dir, 'no-bwrap');
    expect((await sandbox({ bwrapPath: missing }).wrap(command())).isolation).toBe('none');
    const required = sandbox({ mode: 'bwrap', bwrapPath: missing });
    const error = await required.wrap(command()).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ code: 'LA_SANDBOX_UNAVAILABLE', category: 'system', details: { mode: 'bwrap', reason: 'not-installed' } });
    await expect(required.ready()).rejects.toMatchObject({ code: 'LA_SANDBOX_UNAVAILABLE' });
    const status = await required.status();
    expect(status).toMatchObject({ active: false, reason: 'not-installed', detail: `${missing} does not exist` });
    expect(status.suggestion).toContain('apt-get install bubblewrap');
  });

  it('explains each reason bubblewrap cannot be used', async () => {
    const darwin = await sandbox({ platform: 'darwin' }).status();
    expect(darwin).toMatchObject({ active: false, reason: 'unsupported-platform' });
    expect(darwin.suggestion).toContain('Linux only');
    const path = join(dir, 'bwrap');
    await writeFile(path, '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "bubblewrap 0.9.0"; exit 0; fi\necho "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n', { mode: 0o755 });
    const userns = await sandbox({ bwrapPath: path, mode: 'bwrap' }).status();
    expect(userns).toMatchObject({ active: false, reason: 'userns-unavailable', detail: 'bwrap: setting up uid map: Permission denied' });
    expect(userns.suggestion).toContain('apparmor_restrict_unprivileged_userns');
    const error = (await sandbox({ bwrapPath: path, mode: 'bwrap' }).ready().then(
      () => undefined,
      (thrown: unknown) => thrown,
    )) as ConfigurationError;
    expect(error.message).toContain('setting up uid map');
    expect(error.details).toMatchObject({ bwrap: path, reason: 'userns-unavailable' });
  });

  it('points temporary-folder variables at the private /tmp unless they name a folder in the workspace', async () => {
    const wrapped = await sandbox({ bwrapPath: await countingBwrap() }).wrap({
      ...command(),
      env: { PATH: '/usr/bin', TMPDIR: join(dir, 'elsewhere'), TMP: join(ws, 'tmp'), TEMP: 'relative' },
    });
    expect(wrapped).toMatchObject({ isolation: 'bwrap', network: false, env: { PATH: '/usr/bin', TMPDIR: '/tmp', TMP: join(ws, 'tmp'), TEMP: '/tmp' } });
    expect(wrapped.argv.join(' ')).toContain(`--bind ${ws} ${ws}`);
    expect(wrapped.argv.slice(-3)).toEqual(['--', 'echo', 'hi']);
    expect(wrapped.signalInside).toBe(signalSandbox);
  });
});

describe('userHomeDirs', () => {
  it('hides $HOME and the account\'s own home, once each, ignoring a relative $HOME', () => {
    const account = userInfo().homedir;
    expect(userHomeDirs({ HOME: '/elsewhere/home' })).toEqual(['/elsewhere/home', account]);
    expect(userHomeDirs({ HOME: account })).toEqual([account]);
    expect(userHomeDirs({ HOME: 'relative' })).toEqual([account]);
    expect(userHomeDirs({})).toEqual([account]);
  });
});

describe('signalSandbox', () => {
  it('signals nothing for a process that started nothing', () => {
    // This test process has no bwrap child, and pid 0 is nobody's parent we could signal.
    expect(signalSandbox(2 ** 22 + 12345, 'SIGTERM')).toBe(0);
  });
});

describe('findProgram', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'la-findprogram-')));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('looks names up on the absolute PATH entries, and paths from the working folder', async () => {
    await writeFile(join(dir, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    await writeFile(join(dir, 'data'), 'x', { mode: 0o644 });
    await mkdir(join(dir, 'folder'));
    expect(await findProgram('tool', `relative:${dir}`, '/')).toEqual({ found: true, path: join(dir, 'tool') });
    expect(await findProgram('./tool', undefined, dir)).toEqual({ found: true, path: join(dir, 'tool') });
    expect(await findProgram(join(dir, 'tool'), '', '/')).toEqual({ found: true, path: join(dir, 'tool') });
    // A relative PATH entry is never searched, even when it would match from the working folder.
    expect(await findProgram('tool', '.', dir)).toEqual({ found: false, errno: 'ENOENT' });
    expect(await findProgram('data', dir, '/')).toEqual({ found: false, errno: 'EACCES' });
    expect(await findProgram('folder', dir, '/')).toEqual({ found: false, errno: 'EACCES' });
    expect(await findProgram('./missing', dir, dir)).toEqual({ found: false, errno: 'ENOENT' });
  });
});

describeWithBwrap('ShellSandbox with the real bubblewrap', () => {
  it('is active, and wraps a command in the bwrap that was tried', async () => {
    const shellSandbox = new ShellSandbox({ mode: 'bwrap', localAgentHome: join(tmpdir(), 'la-missing-home'), homeDirs: [], searchPath: process.env.PATH });
    const status = await shellSandbox.status();
    expect(status).toMatchObject({ mode: 'bwrap', active: true });
    const wrapped = await shellSandbox.wrap({ argv: ['true'], cwd: tmpdir(), workspace: tmpdir(), env: {}, network: true });
    expect(wrapped.argv[0]).toBe(bwrapForTests.available ? bwrapForTests.path : '');
    expect(wrapped.argv).not.toContain('--unshare-net');
  });
});
