import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { createKeyStore, type KeyStore } from '../../src/keys/index.js';
import { FAST_KDF, KEYS, makeHome } from '../../src/keys/test-support/testHome.js';
import { AuditLog } from '../../src/security/audit/index.js';
import { compileForChild, runChild, type ChildBuild } from '../support/compileForChild.js';

const PASSWORD = 'cross process password';

/** What a CLI process would do: a key store on the file backend, password from the environment. */
const CHILD = `
import { createKeyStore } from './keys/index.js';
import { VaultStore } from './keys/vault/VaultStore.js';
const [command, home, ...args] = process.argv.slice(2);
const getMasterPassword = async () => process.env.LOCALAGENT_MASTER_PASSWORD ? Buffer.from(process.env.LOCALAGENT_MASTER_PASSWORD) : undefined;
const store = createKeyStore({ home, backend: 'file', env: {}, keyring: null, kdf: { N: 2 ** 14 }, getMasterPassword });
try {
  if (command === 'get') {
    const key = await store.get(args[0]);
    process.stdout.write(JSON.stringify({ value: key.value.toString(), source: key.source }));
  } else if (command === 'set') {
    const stored = await store.set(args[0], Buffer.from(args[1]));
    process.stdout.write(JSON.stringify(stored));
  } else if (command === 'many') {
    const [prefix, count] = args;
    for (let i = 0; i < Number(count); i += 1) await store.set(prefix + '-' + i, Buffer.from('sk-proj-' + prefix + '-value-number-' + i));
  } else if (command === 'crash') {
    // Dies the hard way after the new vault is fully written to its temp file, before the rename.
    const vault = new VaultStore({
      file: home + '/vault.json',
      kdf: { N: 2 ** 14 },
      password: async () => Buffer.from(process.env.LOCALAGENT_MASTER_PASSWORD),
      beforeCommit: () => process.kill(process.pid, 'SIGKILL'),
    });
    await vault.put(args[0], Buffer.from(args[1]), 'set');
  }
  await store.close();
} catch (error) {
  process.stdout.write(JSON.stringify({ code: error.code, message: error.message }));
  process.exitCode = 3;
}
`;

describe('key store across processes (file backend)', () => {
  let build: ChildBuild;
  let script: string;
  let home: string;
  let cleanup: () => Promise<void>;
  const stores: KeyStore[] = [];

  beforeAll(async () => {
    build = await compileForChild();
    script = await build.script('keys-child.mjs', CHILD);
  });
  afterAll(async () => {
    await build?.cleanup();
  });
  beforeEach(async () => {
    ({ home, cleanup } = await makeHome());
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    await cleanup();
  });

  const child = (args: string[], password: string | null = PASSWORD) =>
    runChild(script, args, password === null ? {} : { LOCALAGENT_MASTER_PASSWORD: password });
  const store = (staleMs?: number): KeyStore => {
    const s = createKeyStore({
      home,
      backend: 'file',
      env: {},
      keyring: null,
      kdf: FAST_KDF,
      getMasterPassword: async () => Buffer.from(PASSWORD),
      ...(staleMs ? { lock: { staleMs } } : {}),
    });
    stores.push(s);
    return s;
  };

  it('a key stored by one process is read by another, both ways', async () => {
    await store().set('openai', Buffer.from(KEYS.openai));
    const got = await child(['get', home, 'openai']);
    expect(got, got.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(got.stdout)).toEqual({ value: KEYS.openai, source: 'file' });

    const set = await child(['set', home, 'gemini', KEYS.gemini]);
    expect(set, set.stderr).toMatchObject({ code: 0 });
    expect((await store().get('gemini')).value.toString()).toBe(KEYS.gemini);
  });

  it('a wrong or missing password in another process changes nothing', async () => {
    await store().set('openai', Buffer.from(KEYS.openai));
    const wrong = await child(['set', home, 'openai', KEYS.openai2], 'wrong password');
    expect(wrong.code).toBe(3);
    expect(JSON.parse(wrong.stdout)).toMatchObject({ code: 'LA_VAULT_BAD_PASSWORD' });
    const none = await child(['get', home, 'openai'], null);
    expect(JSON.parse(none.stdout)).toMatchObject({ code: 'LA_MASTER_PASSWORD_REQUIRED' });
    expect((await store().get('openai')).value.toString()).toBe(KEYS.openai);
  });

  it('two processes writing at the same time lose no update, and the audit chain stays valid', async () => {
    await store().set('seed', Buffer.from(KEYS.openai));
    const results = await Promise.all([child(['many', home, 'alpha', '12']), child(['many', home, 'beta', '12'])]);
    for (const result of results) expect(result, result.stdout + result.stderr).toMatchObject({ code: 0 });
    const s = store();
    const names = (await s.list()).map((entry) => entry.provider);
    expect(names).toHaveLength(25);
    for (const prefix of ['alpha', 'beta']) {
      for (let i = 0; i < 12; i += 1) expect((await s.get(`${prefix}-${i}`)).value.toString()).toBe(`sk-proj-${prefix}-value-number-${i}`);
    }
    const log = new AuditLog({ file: join(home, 'audit', 'keys.audit.jsonl') });
    expect(await log.verify()).toMatchObject({ ok: true });
    const stores = (await log.readAll()).filter((e) => e.action === 'store' && e.outcome === 'success');
    expect(stores).toHaveLength(25);
    expect(new Set(stores.map((e) => e.pid)).size).toBe(3);
  });

  it('a process killed between writing the new vault and renaming it leaves the previous vault readable', async () => {
    await store().set('openai', Buffer.from(KEYS.openai));
    const crashed = await child(['crash', home, 'openai', KEYS.openai2]);
    expect(crashed.signal).toBe('SIGKILL');
    const names = await readdir(home);
    // The dead writer left its complete temp file and its lock behind.
    expect(names.filter((name) => name.endsWith('.tmp'))).toHaveLength(1);
    expect(names).toContain('vault.json.lock');
    const s = store(2000);
    expect((await s.get('openai')).value.toString()).toBe(KEYS.openai);
    // Writing still works: the abandoned lock is taken over once stale, the temp file ignored (and removed once old).
    await s.set('gemini', Buffer.from(KEYS.gemini));
    expect((await store().get('gemini')).value.toString()).toBe(KEYS.gemini);
  });
});
