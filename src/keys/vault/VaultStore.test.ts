import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST_KDF, KEYS, makeHome } from '../test-support/testHome.js';
import { VaultStore, type VaultStoreOptions } from './VaultStore.js';

const PASSWORD = 'correct horse battery';

type VaultJson = {
  created_at: string;
  kdf: { N: number; salt: string };
  data_key: { nonce: string; ciphertext: string; tag: string };
  records: Record<string, { version: number; nonce: string; ciphertext: string; tag: string; fingerprint: string; created_at: string; rotated_at: string | null }>;
  mac: { value: string };
  [k: string]: unknown;
};

describe('VaultStore', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let file: string;
  let asked: string[];
  let unlocks: Array<{ outcome: string; reason?: string }>;

  beforeEach(async () => {
    ({ home, cleanup } = await makeHome());
    await mkdir(home, { recursive: true, mode: 0o700 });
    file = join(home, 'vault.json');
    asked = [];
    unlocks = [];
  });
  // Every store a test opens is closed afterwards, so no cached file handle is left to the GC.
  const opened: VaultStore[] = [];
  const track = (store: VaultStore): VaultStore => {
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await cleanup();
  });

  const vault = (password = PASSWORD, extra: Partial<VaultStoreOptions> = {}): VaultStore =>
    track(new VaultStore({
      file,
      kdf: FAST_KDF,
      password: async (reason) => {
        asked.push(reason);
        return Buffer.from(password);
      },
      onUnlock: async (outcome, info) => {
        unlocks.push({ outcome, ...(info.reason ? { reason: info.reason } : {}) });
      },
      ...extra,
    }));
  const key = (text: string): Buffer => Buffer.from(text);
  const readJson = async (): Promise<VaultJson> => JSON.parse(await readFile(file, 'utf8')) as VaultJson;
  const writeJson = (json: unknown): Promise<void> => writeFile(file, JSON.stringify(json, null, 2));
  const seeded = async (): Promise<VaultStore> => {
    const v = vault();
    await v.put('openai', key(KEYS.openai), 'set');
    await v.put('anthropic', key(KEYS.anthropic), 'set');
    return v;
  };
  const fresh = (password = PASSWORD): VaultStore => vault(password);

  describe('storing and reading', () => {
    it('creates the vault on first put (asking "create"), then reads without asking again', async () => {
      const v = vault();
      const put = await v.put('openai', key(KEYS.openai), 'set');
      expect(put).toMatchObject({ replaced: false, info: { provider: 'openai', masked: 'sk-proj-…C3d4', rotatedAt: null } });
      expect(asked).toEqual(['create']);
      expect((await v.get('openai'))?.value.toString()).toBe(KEYS.openai);
      expect(asked).toEqual(['create']);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    });

    it('writes the documented format: header, KDF parameters, wrapped data key, records, MAC', async () => {
      await seeded();
      const json = await readJson();
      expect(Object.keys(json)).toEqual(['format', 'version', 'created_at', 'kdf', 'data_key', 'records', 'mac']);
      expect(json).toMatchObject({
        format: 'localagent-vault',
        version: 1,
        kdf: { name: 'scrypt', N: 2 ** 14, r: 8, p: 1, dklen: 32 },
        data_key: { alg: 'aes-256-gcm' },
        mac: { alg: 'hmac-sha256' },
      });
      expect(Buffer.from(json.kdf.salt, 'base64')).toHaveLength(16);
      expect(Object.keys(json.records)).toEqual(['anthropic', 'openai']);
      expect(json.records.openai).toMatchObject({ version: 1, alg: 'aes-256-gcm', fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) });
      expect(json.records.openai!.nonce).not.toBe(json.records.anthropic!.nonce);
      const text = await readFile(file, 'utf8');
      expect(text).not.toContain(KEYS.openai);
      expect(text).not.toContain(KEYS.anthropic);
    });

    it('asks for the password lazily: listing and has() need none, get() unlocks once', async () => {
      await seeded();
      const other = fresh();
      asked = [];
      expect((await other.list()).map((r) => r.provider).sort()).toEqual(['anthropic', 'openai']);
      expect(await other.has('openai')).toBe(true);
      expect(await other.get('nothing-here')).toBeUndefined();
      expect(asked).toEqual([]);
      expect((await other.get('anthropic'))?.value.toString()).toBe(KEYS.anthropic);
      expect((await other.get('openai'))?.value.toString()).toBe(KEYS.openai);
      expect(asked).toEqual(['unlock']);
      expect(unlocks).toEqual([{ outcome: 'success' }]);
      other.lock();
      expect(other.unlocked).toBe(false);
      await other.get('openai');
      expect(asked).toEqual(['unlock', 'unlock']);
    });

    it('reads as empty when there is no vault', async () => {
      const v = vault();
      expect(await v.list()).toEqual([]);
      expect(await v.get('openai')).toBeUndefined();
      expect(asked).toEqual([]);
    });

    it('shares one unlock between concurrent reads', async () => {
      await seeded();
      const other = fresh();
      asked = [];
      await Promise.all([other.get('openai'), other.get('anthropic'), other.get('openai')]);
      expect(asked).toEqual(['unlock']);
    });

    it('rotates in place: new ciphertext and version, rotation time, creation time kept', async () => {
      const v = await seeded();
      const before = (await readJson()).records.openai!;
      const put = await v.put('openai', key(KEYS.openai2), 'rotate');
      const after = (await readJson()).records.openai!;
      expect(put?.replaced).toBe(true);
      expect(after.version).toBe(2);
      expect(after.created_at).toBe(before.created_at);
      expect(after.rotated_at).not.toBeNull();
      expect(after.ciphertext).not.toBe(before.ciphertext);
      expect(after.fingerprint).not.toBe(before.fingerprint);
      expect((await fresh().get('openai'))?.value.toString()).toBe(KEYS.openai2);
      expect(await v.put('missing', key(KEYS.openai), 'rotate')).toBeUndefined();
    });

    it('removes a record and rewrites the file without its ciphertext', async () => {
      const v = await seeded();
      const gone = (await readJson()).records.openai!.ciphertext;
      expect(await v.remove('openai')).toBe(true);
      expect(await v.remove('openai')).toBe(false);
      expect(await readFile(file, 'utf8')).not.toContain(gone);
      expect(await fresh().get('openai')).toBeUndefined();
      expect((await fresh().get('anthropic'))?.value.toString()).toBe(KEYS.anthropic);
    });

    it('refuses a weak master password when creating', async () => {
      await expect(vault('short').put('openai', key(KEYS.openai), 'set')).rejects.toMatchObject({ code: 'LA_MASTER_PASSWORD_WEAK' });
      await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('passes on a password source that cannot answer', async () => {
      await seeded();
      const none = track(new VaultStore({ file, password: () => Promise.reject(new Error('no terminal')) }));
      await expect(none.get('openai')).rejects.toThrow('no terminal');
    });

    it('refuses unusable KDF settings at construction', () => {
      expect(() => vault(PASSWORD, { kdf: { N: 1000 } })).toThrowError(expect.objectContaining({ code: 'LA_VAULT_KDF_INVALID' }));
    });

    it('reports an unreadable vault path as LA_STORAGE', async () => {
      await mkdir(file);
      await expect(vault().list()).rejects.toMatchObject({ code: 'LA_STORAGE' });
    });

    it('uses scrypt N=2^17, r=8, p=1 by default', async () => {
      const v = track(new VaultStore({ file, password: async () => Buffer.from(PASSWORD) }));
      expect(v.kdfParams).toEqual({ N: 131072, r: 8, p: 1 });
      await v.put('openai', key(KEYS.openai), 'set');
      expect((await readJson()).kdf).toMatchObject({ N: 131072, r: 8, p: 1 });
      const reader = track(new VaultStore({ file, kdf: FAST_KDF, password: async () => Buffer.from(PASSWORD) }));
      // Reading honours the parameters stored in the file, not the reader's own settings.
      expect((await reader.get('openai'))?.value.toString()).toBe(KEYS.openai);
    });

    it('zero-fills the password buffer it was given', async () => {
      const given: Buffer[] = [];
      const v = track(new VaultStore({
        file,
        kdf: FAST_KDF,
        password: async () => {
          const b = Buffer.from(PASSWORD);
          given.push(b);
          return b;
        },
      }));
      await v.put('openai', key(KEYS.openai), 'set');
      expect(given[0]!.every((byte) => byte === 0)).toBe(true);
    });
  });

  describe('the parsed-file cache', () => {
    it('notices a file edited in place under a store that has it cached', async () => {
      const v = await seeded();
      await v.get('openai');
      const json = await readJson();
      const ct = Buffer.from(json.records.openai!.ciphertext, 'base64');
      ct[0] = (ct[0] as number) ^ 1;
      json.records.openai!.ciphertext = ct.toString('base64');
      // writeFile truncates and rewrites the same inode: what an editor or an attacker might do.
      await writeJson(json);
      await expect(v.get('openai')).rejects.toMatchObject({ code: 'LA_VAULT_CORRUPT' });
    });

    it('sees a vault replaced or removed by someone else', async () => {
      const v = await seeded();
      await v.get('openai');
      await fresh().put('openai', key(KEYS.openai2), 'set');
      expect((await v.get('openai'))?.value.toString()).toBe(KEYS.openai2);
      await rm(file);
      expect(await v.get('openai')).toBeUndefined();
      expect(await v.list()).toEqual([]);
    });

    it('close() wipes the key and lets go of the file; the store can still be reopened', async () => {
      const v = await seeded();
      await v.close();
      expect(v.unlocked).toBe(false);
      asked = [];
      expect((await v.get('openai'))?.value.toString()).toBe(KEYS.openai);
      expect(asked).toEqual(['unlock']);
      await v.close();
      await v.close();
    });
  });

  describe('wrong password', () => {
    it('fails with LA_VAULT_BAD_PASSWORD (user), reports the failed unlock, changes nothing', async () => {
      await seeded();
      const before = await readFile(file);
      const wrong = fresh('not the password');
      await expect(wrong.get('openai')).rejects.toMatchObject({ code: 'LA_VAULT_BAD_PASSWORD', category: 'user' });
      await expect(wrong.put('openai', key(KEYS.openai2), 'set')).rejects.toMatchObject({ code: 'LA_VAULT_BAD_PASSWORD' });
      await expect(wrong.remove('openai')).rejects.toMatchObject({ code: 'LA_VAULT_BAD_PASSWORD' });
      await expect(wrong.rotateMaster(Buffer.from('another password'))).rejects.toMatchObject({ code: 'LA_VAULT_BAD_PASSWORD' });
      expect(unlocks.filter((u) => u.outcome === 'failure')).toHaveLength(4);
      expect(unlocks.at(-1)).toEqual({ outcome: 'failure', reason: 'bad_password' });
      expect((await readFile(file)).equals(before)).toBe(true);
      expect(await readdir(home)).toEqual(['vault.json']);
    });
  });

  describe('damaged files', () => {
    it.each([
      ['an empty file', ''],
      ['garbage', 'this is not json'],
      ['a JSON array', '[]'],
      ['another format', '{"format":"something-else"}'],
    ])('reports %s as LA_VAULT_CORRUPT', async (_label, text) => {
      await writeFile(file, text);
      await expect(fresh().get('openai')).rejects.toMatchObject({ code: 'LA_VAULT_CORRUPT' });
    });

    it('reports a truncated file as LA_VAULT_CORRUPT', async () => {
      await seeded();
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.slice(0, Math.floor(text.length / 2)));
      await expect(fresh().get('openai')).rejects.toMatchObject({ code: 'LA_VAULT_CORRUPT', details: { reason: expect.stringContaining('not valid JSON') } });
      await expect(fresh().list()).rejects.toMatchObject({ code: 'LA_VAULT_CORRUPT' });
    });

    it('reports a newer format version as LA_VAULT_UNSUPPORTED', async () => {
      await seeded();
      await writeJson({ ...(await readJson()), version: 2 });
      await expect(fresh().get('openai')).rejects.toMatchObject({ code: 'LA_VAULT_UNSUPPORTED' });
    });

    it('names the field that breaks the structure', async () => {
      await seeded();
      const json = await readJson();
      json.records.openai!.version = 0;
      await writeJson(json);
      await expect(fresh().get('openai')).rejects.toMatchObject({ code: 'LA_VAULT_CORRUPT', details: { reason: expect.stringContaining('records.openai.version') } });
      await writeJson({ ...json, extra: true });
      await expect(fresh().get('openai')).rejects.toMatchObject({ code: 'LA_VAULT_CORRUPT' });
    });

    it('refuses KDF parameters that would take gigabytes, before asking for the password', async () => {
      await seeded();
      const json = await readJson();
      json.kdf.N = 2 ** 24;
      await writeJson(json);
      asked = [];
      await expect(fresh().get('openai')).rejects.toMatchObject({ code: 'LA_VAULT_CORRUPT', details: { reason: expect.stringContaining('out of range') } });
      expect(asked).toEqual([]);
    });

    it('checks the length of nonces, tags and keys', async () => {
      await seeded();
      const json = await readJson();
      json.records.openai!.nonce = Buffer.alloc(8).toString('base64');
      await writeJson(json);
      await expect(fresh().get('openai')).rejects.toMatchObject({ code: 'LA_VAULT_CORRUPT', details: { reason: expect.stringContaining('records.openai.nonce') } });
    });
  });

  describe('tampering', () => {
    it('detects a modified record ciphertext (authentication fails, nothing returned)', async () => {
      await seeded();
      const json = await readJson();
      const ct = Buffer.from(json.records.openai!.ciphertext, 'base64');
      ct[3] = (ct[3] as number) ^ 0x40;
      json.records.openai!.ciphertext = ct.toString('base64');
      await writeJson(json);
      await expect(fresh().get('openai')).rejects.toMatchObject({ code: 'LA_VAULT_CORRUPT' });
    });

    it('detects a record moved to another provider', async () => {
      await seeded();
      const json = await readJson();
      json.records.anthropic = { ...json.records.openai! };
      await writeJson(json);
      await expect(fresh().get('anthropic')).rejects.toMatchObject({ code: 'LA_VAULT_CORRUPT' });
    });

    it('detects edited metadata and a removed record through the file MAC', async () => {
      await seeded();
      const original = await readJson();
      await writeJson({ ...original, records: { ...original.records, openai: { ...original.records.openai!, created_at: '2000-01-01T00:00:00.000Z' } } });
      await expect(fresh().get('anthropic')).rejects.toMatchObject({ code: 'LA_VAULT_CORRUPT', details: { reason: expect.stringContaining('MAC') } });
      const { openai: _gone, ...rest } = original.records;
      await writeJson({ ...original, records: rest });
      await expect(fresh().get('anthropic')).rejects.toMatchObject({ code: 'LA_VAULT_CORRUPT' });
      expect(unlocks.at(-1)).toEqual({ outcome: 'failure', reason: 'mac' });
    });

    it('refuses to write over a tampered file (a write would otherwise bless it with a fresh MAC)', async () => {
      const v = await seeded();
      const json = await readJson();
      json.records.openai!.fingerprint = 'sha256:0000000000000000';
      await writeJson(json);
      await expect(v.put('gemini', key(KEYS.gemini), 'set')).rejects.toMatchObject({ code: 'LA_VAULT_CORRUPT' });
      expect((await readJson()).records.gemini).toBeUndefined();
    });

    it.each([
      ['the salt', (j: VaultJson) => (j.kdf.salt = Buffer.alloc(16, 7).toString('base64'))],
      ['the KDF cost', (j: VaultJson) => (j.kdf.N = 2 ** 15)],
      ['the creation time', (j: VaultJson) => (j.created_at = '2001-01-01T00:00:00.000Z')],
      ['the wrapped data key', (j: VaultJson) => (j.data_key.tag = Buffer.alloc(16).toString('base64'))],
    ])('detects a modified header field (%s): unlocking fails', async (_label, edit) => {
      await seeded();
      const json = await readJson();
      edit(json);
      await writeJson(json);
      await expect(fresh().get('openai')).rejects.toMatchObject({ code: 'LA_VAULT_BAD_PASSWORD', message: expect.stringContaining('header was altered') });
    });
  });

  describe('crash safety', () => {
    it('keeps the previous vault readable when a write fails between temp file and rename', async () => {
      await seeded();
      const before = await readFile(file);
      const crashing = vault(PASSWORD, {
        beforeCommit: () => {
          throw new Error('simulated crash');
        },
      });
      await expect(crashing.put('openai', key(KEYS.openai2), 'set')).rejects.toThrow('simulated crash');
      expect((await readFile(file)).equals(before)).toBe(true);
      expect((await fresh().get('openai'))?.value.toString()).toBe(KEYS.openai);
      expect(await readdir(home)).toEqual(['vault.json']);
    });

    it("removes temp files a crashed writer left, once they are stale, and keeps others' fresh ones", async () => {
      const v = await seeded();
      const stale = join(home, '.vault.json.999.abcdef.tmp');
      const recent = join(home, '.vault.json.998.abcdef.tmp');
      await writeFile(stale, 'partial');
      await writeFile(recent, 'partial');
      const old = new Date(Date.now() - 10 * 60_000);
      await utimes(stale, old, old);
      await v.put('gemini', key(KEYS.gemini), 'set');
      const names = await readdir(home);
      expect(names).not.toContain('.vault.json.999.abcdef.tmp');
      expect(names).toContain('.vault.json.998.abcdef.tmp');
    });
  });

  describe('several writers', () => {
    it('loses no update when two store objects write concurrently', async () => {
      const a = await seeded();
      const b = fresh();
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => [a.put(`a-${i}`, key(`${KEYS.openai}${i}`), 'set'), b.put(`b-${i}`, key(`${KEYS.openai2}${i}`), 'set')]).flat(),
      );
      const names = (await fresh().list()).map((r) => r.provider);
      expect(names).toHaveLength(22);
      const check = fresh();
      for (let i = 0; i < 10; i += 1) {
        expect((await check.get(`a-${i}`))?.value.toString()).toBe(`${KEYS.openai}${i}`);
        expect((await check.get(`b-${i}`))?.value.toString()).toBe(`${KEYS.openai2}${i}`);
      }
    });

    it('notices when another process re-keyed the vault and asks for the password again', async () => {
      const a = await seeded();
      const b = fresh();
      await b.get('openai');
      await a.rotateMaster(Buffer.from('the new password'));
      asked = [];
      await expect(b.get('openai')).rejects.toMatchObject({ code: 'LA_VAULT_BAD_PASSWORD' });
      expect(asked).toEqual(['unlock']);
      expect((await fresh('the new password').get('openai'))?.value.toString()).toBe(KEYS.openai);
    });

    it('when two processes create the vault at once, the second joins the first', async () => {
      const a = vault();
      const b = vault();
      await Promise.all([a.put('openai', key(KEYS.openai), 'set'), b.put('gemini', key(KEYS.gemini), 'set')]);
      expect((await fresh().list()).map((r) => r.provider).sort()).toEqual(['gemini', 'openai']);
      expect(asked.filter((r) => r === 'create').length).toBe(2);
      expect(asked.filter((r) => r === 'unlock').length).toBe(1);
    });
  });

  describe('rotateMaster', () => {
    it('re-encrypts every record under a new password, salt and data key', async () => {
      const v = await seeded();
      const before = await readJson();
      expect(await v.rotateMaster(Buffer.from('the new password'))).toBe(2);
      const after = await readJson();
      expect(after.kdf.salt).not.toBe(before.kdf.salt);
      expect(after.data_key.ciphertext).not.toBe(before.data_key.ciphertext);
      expect(after.created_at).toBe(before.created_at);
      for (const provider of ['openai', 'anthropic']) {
        expect(after.records[provider]!.ciphertext).not.toBe(before.records[provider]!.ciphertext);
        expect(after.records[provider]!.version).toBe(before.records[provider]!.version);
      }
      await expect(fresh().get('openai')).rejects.toMatchObject({ code: 'LA_VAULT_BAD_PASSWORD' });
      const reopened = fresh('the new password');
      expect((await reopened.get('openai'))?.value.toString()).toBe(KEYS.openai);
      expect((await reopened.get('anthropic'))?.value.toString()).toBe(KEYS.anthropic);
      // The rotating object keeps working with the new key, without asking.
      asked = [];
      expect((await v.get('openai'))?.value.toString()).toBe(KEYS.openai);
      expect(asked).toEqual([]);
    });

    it('applies the configured KDF cost to the new header', async () => {
      await seeded();
      const stronger = vault(PASSWORD, { kdf: { N: 2 ** 15 } });
      await stronger.rotateMaster(Buffer.from('the new password'));
      expect((await readJson()).kdf.N).toBe(2 ** 15);
    });

    it('refuses a weak new password and a missing vault', async () => {
      const v = vault();
      await expect(v.rotateMaster(Buffer.from('short'))).rejects.toMatchObject({ code: 'LA_MASTER_PASSWORD_WEAK' });
      await expect(v.rotateMaster(Buffer.from('long enough now'))).rejects.toMatchObject({ code: 'LA_VAULT_MISSING' });
      await expect(v.remove('openai')).resolves.toBe(false);
    });

    it('leaves the vault as it was when a record fails authentication', async () => {
      const v = await seeded();
      // Tamper with the in-memory view only by corrupting the file after unlocking: the MAC check stops it.
      const json = await readJson();
      json.records.openai!.tag = Buffer.alloc(16, 1).toString('base64');
      await writeJson(json);
      const before = await readFile(file);
      await expect(v.rotateMaster(Buffer.from('the new password'))).rejects.toMatchObject({ code: 'LA_VAULT_CORRUPT' });
      expect((await readFile(file)).equals(before)).toBe(true);
    });
  });
});
