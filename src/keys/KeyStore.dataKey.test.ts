import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redactor } from '../core/redact/index.js';
import { AuditLog, type AuditEntry } from '../security/audit/index.js';
import { createKeyStore, DATA_KEY_MASK, fingerprint, isDataKeyName, type KeyStore, type KeyStoreOptions } from './index.js';
import { MemoryKeyring } from './test-support/MemoryKeyring.js';
import { allFiles, FAST_KDF, KEYS, makeHome, passwords } from './test-support/testHome.js';

const PASSWORD = 'correct horse battery';

describe('KeyStore data keys (security.encrypt_results)', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let keyring: MemoryKeyring;
  let pw: ReturnType<typeof passwords>;
  const stores: KeyStore[] = [];

  beforeEach(async () => {
    ({ home, cleanup } = await makeHome());
    keyring = new MemoryKeyring();
    pw = passwords(PASSWORD);
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close().catch(() => undefined);
    await cleanup();
  });

  const store = (options: Partial<KeyStoreOptions> = {}): KeyStore => {
    const s = createKeyStore({ home, env: {}, keyring, kdf: FAST_KDF, getMasterPassword: pw, ...options });
    stores.push(s);
    return s;
  };
  const audit = async (s: KeyStore): Promise<AuditEntry[]> => {
    await s.flushAudit();
    return new AuditLog({ file: join(home, 'audit', 'keys.audit.jsonl') }).readAll();
  };

  it('creates 32 random bytes on first use in the keyring, and returns the same key afterwards, from any store object', async () => {
    const first = await store().getOrCreateDataKey('results');
    expect(first).toMatchObject({ purpose: 'results', name: 'data-key:results', backend: 'keyring', created: true });
    expect(first.value).toHaveLength(32);
    expect(first.fingerprint).toBe(fingerprint(first.value));
    expect(keyring.entries.get('data-key:results')?.equals(first.value)).toBe(true);
    const again = await store().getOrCreateDataKey('results');
    expect(again).toMatchObject({ created: false, backend: 'keyring', fingerprint: first.fingerprint });
    expect(again.value.equals(first.value)).toBe(true);
    expect(pw.asked).toEqual([]);
  });

  it('audits the creation and every retrieval with the fingerprint, never the key', async () => {
    const s = store();
    const key = await s.getOrCreateDataKey('results');
    await s.getOrCreateDataKey('results');
    const entries = await audit(s);
    expect(entries.map((e) => [e.action, e.outcome, e.provider, e.backend, e.fingerprint])).toEqual([
      ['store', 'success', 'data-key:results', 'keyring', key.fingerprint],
      ['retrieve', 'success', 'data-key:results', 'keyring', key.fingerprint],
    ]);
    expect(entries[0]?.detail).toBe('created the results data key');
    const text = await readFile(join(home, 'audit', 'keys.audit.jsonl'));
    for (const form of [key.value, Buffer.from(key.value.toString('base64')), Buffer.from(key.value.toString('hex'))]) expect(text.includes(form)).toBe(false);
  });

  it('falls back to the vault file when the keyring is down, and never leaves the key readable on disk', async () => {
    keyring.down = true;
    const s = store();
    const key = await s.getOrCreateDataKey('results');
    expect(key).toMatchObject({ backend: 'file', created: true });
    expect(pw.asked).toEqual(['create']);
    const vault = JSON.parse(await readFile(join(home, 'vault.json'), 'utf8')) as { records: Record<string, { masked: string; fingerprint: string }> };
    expect(vault.records['data-key:results']).toMatchObject({ masked: DATA_KEY_MASK, fingerprint: key.fingerprint });
    for (const file of await allFiles(home)) {
      for (const form of [key.value, Buffer.from(key.value.toString('base64')), Buffer.from(key.value.toString('hex')), key.value.subarray(0, 8), key.value.subarray(28)]) {
        expect(file.bytes.includes(form), file.path).toBe(false);
      }
    }
    const reopened = await store({ getMasterPassword: passwords(PASSWORD) }).getOrCreateDataKey('results');
    expect(reopened.value.equals(key.value)).toBe(true);
    expect(reopened.backend).toBe('file');
  });

  it('with backend file, needs the master password; without one it fails clearly and audits the failure', async () => {
    const s = store({ backend: 'file', getMasterPassword: passwords(undefined) });
    await expect(s.getOrCreateDataKey('results')).rejects.toMatchObject({ code: 'LA_MASTER_PASSWORD_REQUIRED' });
    const entries = await audit(s);
    expect(entries.at(-1)).toMatchObject({ action: 'store', outcome: 'failure', provider: 'data-key:results', error_code: 'LA_MASTER_PASSWORD_REQUIRED' });
    expect(keyring.calls).toBe(0);
  });

  it('a retrieval that fails (wrong password) is audited as one', async () => {
    await store({ backend: 'file' }).getOrCreateDataKey('results');
    const s = store({ backend: 'file', getMasterPassword: passwords('not the password') });
    await expect(s.getOrCreateDataKey('results')).rejects.toMatchObject({ code: 'LA_VAULT_BAD_PASSWORD' });
    expect((await audit(s)).at(-1)).toMatchObject({ action: 'retrieve', outcome: 'failure', provider: 'data-key:results', error_code: 'LA_VAULT_BAD_PASSWORD' });
  });

  it('two stores creating at the same time end up with one key', async () => {
    keyring.down = true;
    const [a, b, c] = await Promise.all([store(), store(), store()].map((s) => s.getOrCreateDataKey('results')));
    expect(a?.value.equals(b?.value as Buffer)).toBe(true);
    expect(a?.value.equals(c?.value as Buffer)).toBe(true);
    expect([a, b, c].filter((k) => k?.created)).toHaveLength(1);
  });

  it('is not a provider: not listed, not deletable or readable as one, not given to the redactor, never from the environment', async () => {
    const redactor = new Redactor();
    const s = store({ redactor, env: { LOCALAGENT_DATA_KEY_RESULTS_API_KEY: 'x'.repeat(40) } });
    await s.set('openai', Buffer.from(KEYS.openai));
    const key = await s.getOrCreateDataKey('results');
    expect(key.created).toBe(true);
    expect((await s.list()).map((entry) => entry.provider)).not.toContain('data-key:results');
    await expect(s.delete('data-key:results')).rejects.toMatchObject({ code: 'LA_KEY_PROVIDER_INVALID' });
    await expect(s.get('data-key:results')).rejects.toMatchObject({ code: 'LA_KEY_PROVIDER_INVALID' });
    expect(redactor.strings(KEYS.openai)).not.toContain(KEYS.openai);
    expect(isDataKeyName('data-key:results')).toBe(true);
    expect(isDataKeyName('openai')).toBe(false);
  });

  it('refuses a stored value that is not 32 bytes instead of using it', async () => {
    await store().getOrCreateDataKey('results');
    keyring.entries.set('data-key:results', Buffer.from('short'));
    const s = store();
    await expect(s.getOrCreateDataKey('results')).rejects.toMatchObject({ code: 'LA_DATA_KEY_INVALID', details: { length: 5, backend: 'keyring' } });
    expect((await audit(s)).at(-1)).toMatchObject({ action: 'retrieve', outcome: 'failure', error_code: 'LA_DATA_KEY_INVALID' });
  });

  it('doctor says where the data key is, from metadata only (no password, no keyring read)', async () => {
    const before = await store().doctor();
    expect(before.dataKeys).toEqual([{ purpose: 'results', name: 'data-key:results' }]);
    const key = await store().getOrCreateDataKey('results');
    const calls = keyring.calls;
    const report = await store({ getMasterPassword: passwords(undefined) }).doctor();
    expect(report.dataKeys).toEqual([{ purpose: 'results', name: 'data-key:results', backend: 'keyring', fingerprint: key.fingerprint, createdAt: expect.any(String) }]);
    // The doctor's own probe uses the keyring (set, get, delete of a throwaway entry), never the data key.
    expect(keyring.calls - calls).toBe(3);

    keyring.down = true;
    const fileHome = await makeHome();
    try {
      const inVault = createKeyStore({ home: fileHome.home, env: {}, keyring, kdf: FAST_KDF, getMasterPassword: passwords(PASSWORD), backend: 'file' });
      stores.push(inVault);
      const fileKey = await inVault.getOrCreateDataKey('results');
      expect((await inVault.dataKeyStatus('results'))).toMatchObject({ backend: 'file', fingerprint: fileKey.fingerprint });
      expect((await store({ backend: 'keyring' }).dataKeyStatus('results'))).toMatchObject({ backend: 'keyring' });
    } finally {
      await fileHome.cleanup();
    }
  });

  it('doctor reports a damaged key index instead of failing', async () => {
    await mkdir(home, { recursive: true });
    await writeFile(join(home, 'keys.json'), 'not json');
    const report = await store().doctor();
    expect(report.dataKeys[0]).toMatchObject({ purpose: 'results', reason: expect.stringContaining('damaged') });
  });
});
