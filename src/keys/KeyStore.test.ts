import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Metrics } from '../core/metrics/index.js';
import { Redactor } from '../core/redact/index.js';
import { AuditLog, type AuditEntry } from '../security/audit/index.js';
import { createKeyStore, fingerprint, KeyStore, type KeyStoreOptions } from './index.js';
import { MemoryKeyring } from './test-support/MemoryKeyring.js';
import { VaultStore } from './vault/VaultStore.js';
import { allFiles, FAST_KDF, KEYS, makeHome, passwords } from './test-support/testHome.js';

const PASSWORD = 'correct horse battery';
const b = (text: string): Buffer => Buffer.from(text);

describe('KeyStore', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let keyring: MemoryKeyring;
  let env: Record<string, string | undefined>;
  let pw: ReturnType<typeof passwords>;
  const stores: KeyStore[] = [];

  beforeEach(async () => {
    ({ home, cleanup } = await makeHome());
    keyring = new MemoryKeyring();
    env = {};
    pw = passwords(PASSWORD);
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close().catch(() => undefined);
    await cleanup();
  });

  const store = (options: Partial<KeyStoreOptions> = {}): KeyStore => {
    const s = createKeyStore({ home, env, keyring, kdf: FAST_KDF, getMasterPassword: pw, ...options });
    stores.push(s);
    return s;
  };
  const audit = async (s?: KeyStore): Promise<AuditEntry[]> => {
    await s?.flushAudit();
    return new AuditLog({ file: join(home, 'audit', 'keys.audit.jsonl') }).readAll();
  };

  describe('environment overrides', () => {
    it('returns a key from the environment first, without touching keyring or vault', async () => {
      env.OPENAI_API_KEY = KEYS.openai;
      const s = store();
      const got = await s.get('OpenAI');
      expect(got).toMatchObject({ provider: 'openai', source: 'env', envVar: 'OPENAI_API_KEY', fingerprint: fingerprint(b(KEYS.openai)) });
      expect(got.value.toString()).toBe(KEYS.openai);
      expect(keyring.calls).toBe(0);
      expect(pw.asked).toEqual([]);
      const [entry] = await audit(s);
      expect(entry).toMatchObject({ action: 'retrieve', outcome: 'success', provider: 'openai', backend: 'env', detail: 'OPENAI_API_KEY' });
    });

    it('prefers LOCALAGENT_<NAME>_API_KEY, knows the Gemini aliases and custom names, ignores empty values', async () => {
      env.OPENAI_API_KEY = KEYS.openai;
      env.LOCALAGENT_OPENAI_API_KEY = KEYS.openai2;
      env.GOOGLE_GENERATIVE_AI_API_KEY = KEYS.gemini;
      env.LOCALAGENT_MY_LLM_API_KEY = 'local-secret-value';
      env.ANTHROPIC_API_KEY = '';
      const s = store();
      expect((await s.get('openai')).value.toString()).toBe(KEYS.openai2);
      expect(await s.get('gemini')).toMatchObject({ envVar: 'GOOGLE_GENERATIVE_AI_API_KEY' });
      expect(await s.get('my-llm')).toMatchObject({ envVar: 'LOCALAGENT_MY_LLM_API_KEY' });
      await expect(s.get('anthropic')).rejects.toMatchObject({ code: 'LA_KEY_NOT_FOUND' });
    });

    it('reads process.env at call time when no env is given', async () => {
      const s = store({ env: undefined });
      process.env.LOCALAGENT_ZZ_TEST_API_KEY = 'from-process-env';
      try {
        expect(await s.get('zz-test')).toMatchObject({ source: 'env', envVar: 'LOCALAGENT_ZZ_TEST_API_KEY' });
      } finally {
        delete process.env.LOCALAGENT_ZZ_TEST_API_KEY;
      }
    });
  });

  describe('not found', () => {
    it('says exactly which command stores the key', async () => {
      const s = store({ backend: 'file', keyring: null });
      const error = await s.get('anthropic').catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'LA_KEY_NOT_FOUND',
        category: 'user',
        suggestion: expect.stringContaining('`localagent config set-key anthropic`'),
      });
      expect((error as Error & { suggestion: string }).suggestion).toContain('ANTHROPIC_API_KEY');
      expect(await audit(s)).toMatchObject([{ action: 'retrieve', outcome: 'failure', provider: 'anthropic', error_code: 'LA_KEY_NOT_FOUND' }]);
    });

    it('refuses to rotate or delete what is not stored, pointing at an environment variable in use', async () => {
      env.OPENAI_API_KEY = KEYS.openai;
      const s = store();
      await expect(s.rotate('openai', b(KEYS.openai2))).rejects.toMatchObject({ code: 'LA_KEY_NOT_FOUND', message: expect.stringContaining('comes from OPENAI_API_KEY') });
      await expect(s.delete('openai')).rejects.toMatchObject({ code: 'LA_KEY_NOT_FOUND' });
      await expect(s.delete('gemini')).rejects.toMatchObject({ code: 'LA_KEY_NOT_FOUND' });
    });

    it('in keyring-only mode, does not look at the vault', async () => {
      await store({ backend: 'file' }).set('openai', b(KEYS.openai));
      await expect(store({ backend: 'keyring' }).get('openai')).rejects.toMatchObject({ code: 'LA_KEY_NOT_FOUND' });
    });
  });

  describe('file backend', () => {
    it('stores, reads, rotates and deletes, auditing each step with the fingerprint', async () => {
      const s = store({ backend: 'file', keyring: null });
      const stored = await s.set('openai', b(KEYS.openai));
      expect(stored).toMatchObject({ provider: 'openai', backend: 'file', fingerprint: fingerprint(b(KEYS.openai)), masked: 'sk-proj-…C3d4', rotatedAt: null });
      expect((await s.get('openai')).value.toString()).toBe(KEYS.openai);
      const rotated = await s.rotate('openai', b(KEYS.openai2));
      expect(rotated).toMatchObject({ backend: 'file', createdAt: stored.createdAt, rotatedAt: expect.any(String) });
      const reader = store({ backend: 'file', keyring: null });
      expect((await reader.get('openai')).value.toString()).toBe(KEYS.openai2);
      await reader.flushAudit();
      expect(await s.delete('openai')).toEqual({ provider: 'openai', removedFrom: ['file'] });
      await expect(s.get('openai')).rejects.toMatchObject({ code: 'LA_KEY_NOT_FOUND' });
      const entries = await audit(s);
      expect(entries.map((e) => `${e.action}:${e.outcome}:${e.backend ?? ''}`)).toEqual([
        'store:success:file',
        'retrieve:success:file',
        'rotate:success:file',
        'unlock:success:file',
        'retrieve:success:file',
        'delete:success:file',
        'retrieve:failure:',
      ]);
      expect(entries[0]).toMatchObject({ category: 'key', actor: expect.any(String), pid: process.pid, process: expect.any(String), fingerprint: stored.fingerprint });
      expect(entries[2]).toMatchObject({ fingerprint: rotated.fingerprint });
      expect(await new AuditLog({ file: join(home, 'audit', 'keys.audit.jsonl') }).verify()).toMatchObject({ ok: true, entries: 7 });
      for (const { bytes } of await allFiles(home)) {
        expect(bytes.includes(KEYS.openai)).toBe(false);
        expect(bytes.includes(KEYS.openai2)).toBe(false);
      }
    });

    it('refuses a malformed key before storing anything, and audits the refusal', async () => {
      const s = store({ backend: 'file' });
      await expect(s.set('openai', b('sk-too-short'))).rejects.toMatchObject({ code: 'LA_KEY_FORMAT' });
      await expect(s.set('my-gateway', b('has a space in it'))).rejects.toMatchObject({ code: 'LA_KEY_FORMAT' });
      await expect(s.set('work', b('not-an-openai-key'), { kind: 'openai' })).rejects.toMatchObject({ code: 'LA_KEY_FORMAT' });
      await expect(s.set('bad name!', b(KEYS.openai))).rejects.toMatchObject({ code: 'LA_KEY_PROVIDER_INVALID' });
      expect(pw.asked).toEqual([]);
      expect(await audit(s)).toMatchObject([
        { action: 'store', outcome: 'failure', provider: 'openai', error_code: 'LA_KEY_FORMAT' },
        { action: 'store', outcome: 'failure', provider: 'my-gateway', error_code: 'LA_KEY_FORMAT' },
        { action: 'store', outcome: 'failure', provider: 'work', error_code: 'LA_KEY_FORMAT' },
      ]);
    });

    it('without a master password source, says how to give one', async () => {
      const s = store({ backend: 'file', getMasterPassword: undefined });
      await expect(s.set('openai', b(KEYS.openai))).rejects.toMatchObject({
        code: 'LA_MASTER_PASSWORD_REQUIRED',
        category: 'user',
        suggestion: expect.stringMatching(/LOCALAGENT_MASTER_PASSWORD.*--master-password-file.*terminal/),
      });
      const empty = store({ backend: 'file', getMasterPassword: async () => undefined });
      await expect(empty.set('openai', b(KEYS.openai))).rejects.toMatchObject({ code: 'LA_MASTER_PASSWORD_REQUIRED' });
      const blank = store({ backend: 'file', getMasterPassword: async () => Buffer.alloc(0) });
      await expect(blank.set('openai', b(KEYS.openai))).rejects.toMatchObject({ code: 'LA_MASTER_PASSWORD_REQUIRED' });
      await store({ backend: 'file' }).set('openai', b(KEYS.openai));
      await expect(store({ backend: 'file', getMasterPassword: undefined }).get('openai')).rejects.toMatchObject({
        code: 'LA_MASTER_PASSWORD_REQUIRED',
        message: expect.stringContaining('unlock'),
      });
    });

    it('wrong password: LA_VAULT_BAD_PASSWORD, the failed unlock is audited, the vault is unchanged', async () => {
      const s = store({ backend: 'file' });
      await s.set('openai', b(KEYS.openai));
      const before = await readFile(join(home, 'vault.json'));
      const wrong = store({ backend: 'file', getMasterPassword: passwords('wrong password') });
      await expect(wrong.get('openai')).rejects.toMatchObject({ code: 'LA_VAULT_BAD_PASSWORD', category: 'user' });
      await expect(wrong.set('openai', b(KEYS.openai2))).rejects.toMatchObject({ code: 'LA_VAULT_BAD_PASSWORD' });
      expect((await readFile(join(home, 'vault.json'))).equals(before)).toBe(true);
      const entries = await audit(wrong);
      expect(entries.filter((e) => e.action === 'unlock')).toMatchObject([
        { outcome: 'failure', error_code: 'LA_VAULT_BAD_PASSWORD', detail: 'bad_password' },
        { outcome: 'failure', error_code: 'LA_VAULT_BAD_PASSWORD' },
      ]);
      expect(entries.at(-1)).toMatchObject({ action: 'store', outcome: 'failure', error_code: 'LA_VAULT_BAD_PASSWORD' });
    });

    it('rotateMaster re-keys the vault and is audited, failures too', async () => {
      const s = store({ backend: 'file' });
      await s.set('openai', b(KEYS.openai));
      expect(await s.rotateMaster(b('a brand new password'))).toEqual({ records: 1, kdf: { N: 2 ** 14, r: 8, p: 1 } });
      expect((await store({ backend: 'file', getMasterPassword: passwords('a brand new password') }).get('openai')).value.toString()).toBe(KEYS.openai);
      await expect(s.rotateMaster(b('short'))).rejects.toMatchObject({ code: 'LA_MASTER_PASSWORD_WEAK' });
      const entries = (await audit(s)).filter((e) => e.action === 'rotate-master');
      expect(entries).toMatchObject([
        { outcome: 'success', backend: 'file', detail: '1 keys re-encrypted' },
        { outcome: 'failure', error_code: 'LA_MASTER_PASSWORD_WEAK' },
      ]);
    });

    it('lock() forgets the data key; the next read asks again', async () => {
      const s = store({ backend: 'file' });
      await s.set('openai', b(KEYS.openai));
      s.lock();
      await s.get('openai');
      expect(pw.asked).toEqual(['create', 'unlock']);
    });
  });

  describe('keyring backend (in-memory stand-in; the real one is in KeyringAdapter.test.ts)', () => {
    it('auto stores in the keyring when it works, with metadata in keys.json and no vault', async () => {
      const s = store();
      const stored = await s.set('anthropic', b(KEYS.anthropic));
      expect(stored).toMatchObject({ backend: 'keyring', masked: 'sk-ant-…q-AA', rotatedAt: null });
      expect(keyring.entries.get('anthropic')?.toString()).toBe(KEYS.anthropic);
      const index = JSON.parse(await readFile(join(home, 'keys.json'), 'utf8')) as unknown;
      expect(index).toEqual({
        format: 'localagent-key-index',
        version: 1,
        keys: { anthropic: { backend: 'keyring', fingerprint: stored.fingerprint, masked: stored.masked, created_at: stored.createdAt, rotated_at: null } },
      });
      await expect(readFile(join(home, 'vault.json'))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await s.get('anthropic')).toMatchObject({ source: 'keyring', fingerprint: stored.fingerprint });
      const rotated = await s.rotate('anthropic', b(KEYS.anthropic.replace('qq', 'rr')));
      expect(rotated).toMatchObject({ backend: 'keyring', createdAt: stored.createdAt, rotatedAt: expect.any(String) });
      expect(await s.delete('anthropic')).toEqual({ provider: 'anthropic', removedFrom: ['keyring'] });
      expect(keyring.entries.size).toBe(0);
      expect(pw.asked).toEqual([]);
    });

    it('auto falls back to the vault when the keyring is unusable, says why, and stops asking it', async () => {
      keyring.down = true;
      const s = store();
      const stored = await s.set('openai', b(KEYS.openai));
      expect(stored).toMatchObject({ backend: 'file', fallbackReason: expect.stringContaining('OS keyring cannot be used') });
      const calls = keyring.calls;
      await s.set('gemini', b(KEYS.gemini));
      expect((await s.get('gemini')).source).toBe('file');
      await expect(s.get('nothing')).rejects.toMatchObject({ code: 'LA_KEY_NOT_FOUND' });
      expect(keyring.calls).toBe(calls);
    });

    it('falls back when the keyring accepts a write it cannot read back, and removes what it wrote', async () => {
      keyring.lossy = true;
      const stored = await store().set('openai', b(KEYS.openai));
      expect(stored).toMatchObject({ backend: 'file', fallbackReason: expect.stringContaining('read back') });
      expect(keyring.entries.size).toBe(0);
    });

    it('an explicit keyring choice fails loudly when the keyring is unusable or disabled', async () => {
      keyring.down = true;
      await expect(store().set('openai', b(KEYS.openai), { backend: 'keyring' })).rejects.toMatchObject({ code: 'LA_KEYRING_UNAVAILABLE' });
      await expect(store({ keyring: null }).set('openai', b(KEYS.openai), { backend: 'keyring' })).rejects.toMatchObject({
        code: 'LA_KEYRING_UNAVAILABLE',
        message: expect.stringContaining('disabled'),
      });
    });

    it('reports an indexed key whose keyring is down, rather than "not found"', async () => {
      const s = store();
      await s.set('openai', b(KEYS.openai));
      keyring.down = true;
      await expect(store().get('openai')).rejects.toMatchObject({ code: 'LA_KEYRING_UNAVAILABLE' });
    });

    it('auto updates a key where it already is', async () => {
      await store({ backend: 'file' }).set('openai', b(KEYS.openai));
      expect((await store().set('openai', b(KEYS.openai2))).backend).toBe('file');
      expect(keyring.entries.size).toBe(0);
    });

    it('moving a key between backends leaves a single copy', async () => {
      const s = store();
      await s.set('openai', b(KEYS.openai), { backend: 'file' });
      await s.set('openai', b(KEYS.openai2), { backend: 'keyring' });
      expect((await s.list()).find((e) => e.provider === 'openai')?.copies.map((c) => c.backend)).toEqual(['keyring']);
      await s.set('openai', b(KEYS.openai), { backend: 'file' });
      expect(keyring.entries.size).toBe(0);
      const [entry] = await s.list();
      expect(entry).toMatchObject({ source: 'file', copies: [{ backend: 'file' }] });
      expect((await s.get('openai')).value.toString()).toBe(KEYS.openai);
    });

    it('reports a move whose old copy could not be removed', async () => {
      const s = store();
      await s.set('openai', b(KEYS.openai), { backend: 'keyring' });
      keyring.down = true;
      await expect(s.set('openai', b(KEYS.openai2), { backend: 'file' })).rejects.toMatchObject({
        code: 'LA_KEY_MOVE_INCOMPLETE',
        suggestion: expect.stringContaining('delete-key openai --backend keyring'),
      });
    });

    it('finds keyring entries LocalAgent did not index, after the vault', async () => {
      keyring.entries.set('legacy', b('legacy-secret-value'));
      const s = store();
      expect(await s.get('legacy')).toMatchObject({ source: 'keyring' });
      expect(await s.delete('legacy')).toEqual({ provider: 'legacy', removedFrom: ['keyring'] });
    });

    it('falls through to the vault when an indexed keyring entry has vanished', async () => {
      const s = store();
      await s.set('openai', b(KEYS.openai), { backend: 'keyring' });
      keyring.entries.clear();
      await expect(s.get('openai')).rejects.toMatchObject({ code: 'LA_KEY_NOT_FOUND' });
    });

    it('file mode never touches the keyring', async () => {
      const s = store({ backend: 'file' });
      await s.set('openai', b(KEYS.openai));
      await s.get('openai');
      await s.delete('openai');
      expect(keyring.calls).toBe(0);
    });

    it('deletes from both backends, or only the one asked for', async () => {
      const s = store();
      await s.set('openai', b(KEYS.openai), { backend: 'keyring' });
      // A copy in the vault as well (written by an older version, say).
      const plant = (): Promise<unknown> =>
        new VaultStore({ file: join(home, 'vault.json'), kdf: FAST_KDF, password: async () => b(PASSWORD) }).put('openai', b(KEYS.openai2), 'set');
      await plant();
      expect((await s.list())[0]?.copies.map((c) => c.backend)).toEqual(['keyring', 'file']);
      expect((await s.delete('openai', { backend: 'file' })).removedFrom).toEqual(['file']);
      await plant();
      env.OPENAI_API_KEY = KEYS.openai;
      expect(await s.delete('openai')).toEqual({ provider: 'openai', removedFrom: ['keyring', 'file'], overriddenBy: 'OPENAI_API_KEY' });
    });

    it('rejects a damaged keys.json with LA_KEY_INDEX_CORRUPT', async () => {
      await mkdir(home, { recursive: true });
      await writeFile(join(home, 'keys.json'), '{"format":"localagent-key-index","version":1,"keys":{"x":{"backend":"file"}}}');
      await expect(store().list()).rejects.toMatchObject({ code: 'LA_KEY_INDEX_CORRUPT' });
      await writeFile(join(home, 'keys.json'), '{nope');
      await expect(store().get('openai')).rejects.toMatchObject({ code: 'LA_KEY_INDEX_CORRUPT' });
      await writeFile(join(home, 'keys.json'), '[]');
      await expect(store().list()).rejects.toMatchObject({ code: 'LA_KEY_INDEX_CORRUPT' });
    });

    it('reports an unreadable keys.json as LA_STORAGE', async () => {
      await mkdir(join(home, 'keys.json'), { recursive: true });
      await expect(store().list()).rejects.toMatchObject({ code: 'LA_STORAGE' });
    });
  });

  describe('list', () => {
    it('merges environment, keyring and vault, sorted, with the source get() would use', async () => {
      const s = store();
      await s.set('anthropic', b(KEYS.anthropic), { backend: 'keyring' });
      await s.set('gemini', b(KEYS.gemini), { backend: 'file' });
      await s.set('openai', b(KEYS.openai), { backend: 'file' });
      env.OPENAI_API_KEY = KEYS.openai2;
      env.LOCALAGENT_MY_LLM_API_KEY = 'my-local-secret';
      env.UNRELATED = 'x';
      const list = await s.list({ providers: ['my-llm'] });
      expect(list.map((e) => [e.provider, e.source])).toEqual([
        ['anthropic', 'keyring'],
        ['gemini', 'file'],
        ['my-llm', 'env'],
        ['openai', 'env'],
      ]);
      const openai = list.find((e) => e.provider === 'openai');
      expect(openai).toMatchObject({
        envVar: 'OPENAI_API_KEY',
        fingerprint: fingerprint(b(KEYS.openai2)),
        masked: 'sk-proj-…X7w6',
        createdAt: null,
        rotatedAt: null,
        copies: [{ backend: 'file', fingerprint: fingerprint(b(KEYS.openai)) }],
      });
      expect(list.find((e) => e.provider === 'gemini')).toMatchObject({ masked: 'AIza…BBBB', createdAt: expect.any(String) });
      expect(JSON.stringify(list)).not.toContain(KEYS.openai2);
      expect(pw.asked).toEqual(['create']);
      expect((await s.list()).map((e) => e.provider)).toContain('my_llm');
    });

    it('in file mode reports a keyring-only key under its own backend', async () => {
      await store().set('openai', b(KEYS.openai), { backend: 'keyring' });
      expect(await store({ backend: 'file' }).list()).toMatchObject([{ provider: 'openai', source: 'keyring' }]);
    });

    it('is empty on a fresh home', async () => {
      expect(await store().list()).toEqual([]);
    });
  });

  describe('doctor', () => {
    it('reports usable backends, the vault parameters, env variable names and the audit state', async () => {
      env.OPENAI_API_KEY = KEYS.openai;
      env.LOCALAGENT_X_API_KEY = 'something-secret';
      env.HOME = '/root';
      const s = store();
      await s.set('gemini', b(KEYS.gemini), { backend: 'file' });
      const report = await s.doctor();
      expect(report).toEqual({
        backend: 'auto',
        auto: 'keyring',
        env: { variables: ['LOCALAGENT_X_API_KEY', 'OPENAI_API_KEY'] },
        keyring: { usable: true, store: 'memory (test)' },
        file: { usable: true, path: join(home, 'vault.json'), exists: true, unlocked: true, kdf: { name: 'scrypt', N: 2 ** 14, r: 8, p: 1 } },
        audit: { path: join(home, 'audit', 'keys.audit.jsonl'), ok: true, entries: 1 },
        dataKeys: [{ purpose: 'results', name: 'data-key:results' }],
      });
      expect(JSON.stringify(report)).not.toContain('something-secret');
      expect(keyring.entries.size).toBe(0);
    });

    it('says why a backend is unusable', async () => {
      keyring.down = true;
      const report = await store().doctor();
      expect(report.keyring).toEqual({ usable: false, store: 'memory (test)', reason: expect.stringContaining('no Secret Service') });
      expect(report.auto).toBe('file');
      expect(report.file).toMatchObject({ usable: true, exists: false, unlocked: false });
      keyring.down = false;
      keyring.lossy = true;
      expect((await store().doctor()).keyring).toMatchObject({ usable: false, reason: expect.stringContaining('read back differently') });
      expect((await store({ keyring: null }).doctor()).keyring).toMatchObject({ usable: false, reason: expect.stringContaining('disabled') });
    });

    it('reports an unusable home, a damaged vault and a broken audit log', async () => {
      await mkdir(join(home, 'audit'), { recursive: true });
      await writeFile(join(home, 'vault.json'), 'garbage');
      await writeFile(join(home, 'audit', 'keys.audit.jsonl'), 'garbage\n');
      const report = await store({ keyring: null }).doctor();
      expect(report.file).toMatchObject({ usable: false, exists: true, reason: expect.stringContaining('damaged') });
      expect(report.audit).toMatchObject({ ok: false, line: 1, reason: expect.any(String) });
      expect(report.auto).toBeNull();
      const fileHome = join(home, 'vault.json');
      const broken = createKeyStore({ home: fileHome, env: {}, keyring: null });
      expect((await broken.doctor()).file).toMatchObject({ usable: false, exists: false, reason: expect.any(String) });
    });
  });

  describe('memory and logging hygiene', () => {
    it('registers every key read or stored with the redactor', async () => {
      const redactor = new Redactor();
      env.LOCALAGENT_CUSTOM_API_KEY = 'custom-shape-1234';
      const s = store({ backend: 'file', redactor });
      await s.set('my-gw', b('opaque.value.4567'));
      await s.get('custom');
      expect(redactor.text('a opaque.value.4567 b custom-shape-1234')).toBe('a [REDACTED] b [REDACTED]');
    });

    it('after close(), refuses to work; pending audit events are written', async () => {
      env.OPENAI_API_KEY = KEYS.openai;
      const s = store();
      await s.get('openai');
      await s.close();
      await s.close();
      expect(await audit()).toHaveLength(1);
      await expect(s.get('openai')).rejects.toMatchObject({ code: 'LA_KEY_STORE_CLOSED' });
    });

    it('stops handing out keys once a deferred audit write has failed', async () => {
      env.OPENAI_API_KEY = KEYS.openai;
      await mkdir(join(home, 'blocked'), { recursive: true });
      const s = store({ auditLog: new AuditLog({ file: join(home, 'blocked') }) });
      await s.get('openai');
      await expect(s.flushAudit()).rejects.toMatchObject({ code: 'LA_AUDIT_WRITE' });
      await s.get('openai');
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expect(s.get('openai')).rejects.toMatchObject({ code: 'LA_AUDIT_WRITE' });
      await expect(s.set('openai', b(KEYS.openai), { backend: 'file' })).rejects.toMatchObject({ code: 'LA_AUDIT_WRITE' });
    });

    it('counts operations and times unlocks when given metrics', async () => {
      const metrics = new Metrics();
      const s = store({ backend: 'file', metrics });
      await s.set('openai', b(KEYS.openai));
      await store({ backend: 'file', metrics }).get('openai');
      expect(await metrics.valueOf('localagent_key_operations_total', { operation: 'store', source: 'file', outcome: 'success' })).toBe(1);
      expect(await metrics.valueOf('localagent_key_operations_total', { operation: 'retrieve', source: 'file', outcome: 'success' })).toBe(1);
      expect(await metrics.render()).toContain('localagent_vault_unlock_seconds_count 1');
    });

    it('records the identity it is given', async () => {
      env.OPENAI_API_KEY = KEYS.openai;
      const s = store({ identity: { user: 'svc-bot', uid: 1234, pid: 42, process: 'localagent', host: 'box' } });
      await s.get('openai');
      expect((await audit(s))[0]).toMatchObject({ actor: 'svc-bot', uid: 1234, pid: 42, process: 'localagent', host: 'box' });
    });

    it('also works through the class constructor', async () => {
      const s = new KeyStore({ home, env: { OPENAI_API_KEY: KEYS.openai }, keyring: null });
      stores.push(s);
      expect((await s.get('openai')).source).toBe('env');
    });
  });
});
