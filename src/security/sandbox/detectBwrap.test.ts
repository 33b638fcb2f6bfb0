import { chmod, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectBwrap } from './index.js';
import { describeWithBwrap } from './test-support/bwrapForTests.js';

/** A real script standing in for bwrap: answers --version with `version`, and fails everything else with `trialError`. */
async function fakeBwrap(dir: string, options: { version?: string; trialError?: string; versionFails?: boolean }): Promise<string> {
  const path = join(dir, 'bwrap');
  const lines = ['#!/bin/sh'];
  if (options.versionFails) lines.push('echo "bwrap: cannot start" >&2', 'exit 2');
  lines.push(`if [ "$1" = "--version" ]; then echo "bubblewrap ${options.version ?? '0.9.0'}"; exit 0; fi`);
  lines.push(options.trialError === undefined ? `echo "bubblewrap ${options.version ?? '0.9.0'}"` : `echo "${options.trialError}" >&2; exit 1`);
  await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o755 });
  return path;
}

describe('detectBwrap', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'la-detect-')));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is unavailable on other operating systems, without running anything', async () => {
    expect(await detectBwrap({ platform: 'darwin', bwrapPath: join(dir, 'never-run') })).toEqual({
      available: false,
      reason: 'unsupported-platform',
      detail: 'bubblewrap runs on Linux only; this is darwin',
    });
    expect((await detectBwrap({ platform: 'win32' })).available).toBe(false);
  });

  it('reports a missing binary: a path that does not exist, a name not on the PATH, a file that is not executable', async () => {
    expect(await detectBwrap({ bwrapPath: join(dir, 'nope') })).toMatchObject({ available: false, reason: 'not-installed', detail: `${join(dir, 'nope')} does not exist` });
    expect(await detectBwrap({ searchPath: dir })).toMatchObject({ available: false, reason: 'not-installed', detail: 'bwrap is not on the PATH' });
    expect(await detectBwrap({ searchPath: undefined })).toMatchObject({ reason: 'not-installed' });
    const plain = join(dir, 'bwrap');
    await writeFile(plain, 'not a program');
    await chmod(plain, 0o644);
    expect(await detectBwrap({ bwrapPath: plain })).toMatchObject({ available: false, reason: 'not-installed', detail: `${plain} is not an executable file` });
  });

  it('finds a working binary by name on the PATH and reports its version', async () => {
    const bwrap = await fakeBwrap(dir, { version: '0.9.0' });
    expect(await detectBwrap({ searchPath: `relative/dir:${dir}` })).toEqual({ available: true, path: bwrap, version: '0.9.0' });
  });

  it('tells refused user namespaces apart from other failures, keeping bwrap\'s own message', async () => {
    await fakeBwrap(dir, { trialError: 'bwrap: setting up uid map: Permission denied' });
    expect(await detectBwrap({ bwrapPath: join(dir, 'bwrap') })).toEqual({
      available: false,
      reason: 'userns-unavailable',
      detail: 'bwrap: setting up uid map: Permission denied',
      path: join(dir, 'bwrap'),
      version: '0.9.0',
    });
    await fakeBwrap(dir, { trialError: 'bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces.' });
    expect(await detectBwrap({ bwrapPath: join(dir, 'bwrap') })).toMatchObject({ reason: 'userns-unavailable' });
    await fakeBwrap(dir, { trialError: "bwrap: Can't mount proc on /newroot/proc: Operation not permitted" });
    expect(await detectBwrap({ bwrapPath: join(dir, 'bwrap') })).toMatchObject({ available: false, reason: 'broken', detail: "bwrap: Can't mount proc on /newroot/proc: Operation not permitted" });
  });

  it('reports a binary whose --version fails as broken', async () => {
    await fakeBwrap(dir, { versionFails: true });
    const status = await detectBwrap({ bwrapPath: join(dir, 'bwrap') });
    expect(status).toMatchObject({ available: false, reason: 'broken', path: join(dir, 'bwrap') });
    expect(status.available ? '' : status.detail).toContain('bwrap: cannot start');
  });

  it('gives up on a trial that hangs', async () => {
    const path = join(dir, 'bwrap');
    await writeFile(path, '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "bubblewrap 0.9.0"; exit 0; fi\nexec sleep 30\n', { mode: 0o755 });
    const status = await detectBwrap({ bwrapPath: path, timeoutMs: 300 });
    expect(status).toMatchObject({ available: false, reason: 'broken' });
  });
});

describeWithBwrap('detectBwrap with the real bubblewrap', () => {
  it('runs a trial sandbox and reports the version', async () => {
    const status = await detectBwrap({ searchPath: process.env.PATH });
    expect(status.available).toBe(true);
    expect(status.available && status.version).toMatch(/^\d+\.\d+/);
  });
});
