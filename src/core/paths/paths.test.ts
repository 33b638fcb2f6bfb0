import { chmod, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../../test/support/tempDir.js';
import { StorageError } from '../errors/index.js';
import { HomePaths, ensurePrivateDir, resolveHome } from './index.js';

const tempDir = useTempDirs();

describe('resolveHome', () => {
  it('prefers --home, then LOCALAGENT_HOME, then ~/.localagent', () => {
    expect(resolveHome({ flag: '/a', env: { LOCALAGENT_HOME: '/b' } })).toBe('/a');
    expect(resolveHome({ env: { LOCALAGENT_HOME: '/b' } })).toBe('/b');
    expect(resolveHome({ env: {} })).toBe(join(homedir(), '.localagent'));
    expect(resolveHome({ env: { LOCALAGENT_HOME: '' } })).toBe(join(homedir(), '.localagent'));
  });

  it('resolves relative and ~ paths', () => {
    expect(resolveHome({ flag: 'rel', cwd: '/work/x' })).toBe('/work/x/rel');
    expect(resolveHome({ flag: '~/la' })).toBe(join(homedir(), 'la'));
  });
});

describe('HomePaths', () => {
  it('names every file under the home', () => {
    const paths = new HomePaths('/h');
    expect([paths.config, paths.logs, paths.vault, paths.keyAuditLog, paths.runs, paths.database, paths.policies, paths.audit]).toEqual([
      '/h/config.yaml',
      '/h/logs',
      '/h/vault.json',
      '/h/audit/keys.audit.jsonl',
      '/h/runs',
      '/h/localagent.db',
      '/h/policies',
      '/h/audit',
    ]);
  });
});

describe('ensurePrivateDir', () => {
  it('creates the folder private to the user and tightens a loose one', async () => {
    const base = await tempDir();
    const dir = join(base, 'home', 'nested');
    await ensurePrivateDir(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    await chmod(dir, 0o750);
    await ensurePrivateDir(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('refuses a home every user can write to', async () => {
    const dir = await tempDir();
    await chmod(dir, 0o777);
    await expect(ensurePrivateDir(dir)).rejects.toMatchObject({ code: 'LA_HOME_INSECURE' });
  });

  it('explains a home that cannot be created', async () => {
    const base = await tempDir();
    await writeFile(join(base, 'file'), 'x');
    const error = await ensurePrivateDir(join(base, 'file', 'home')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('LA_HOME_UNUSABLE');
  });
});
