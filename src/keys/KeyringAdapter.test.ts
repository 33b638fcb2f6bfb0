import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeyStore, OsKeyring, type KeyStore } from './index.js';
import { keyringGate, testService } from './test-support/keyringGate.js';
import { allFiles, FAST_KDF, KEYS, makeHome } from './test-support/testHome.js';

const gate = await keyringGate('OS keyring tests (src/keys/KeyringAdapter.test.ts)');

describe('OsKeyring', () => {
  it('names the store of each platform', () => {
    expect(new OsKeyring({ platform: 'linux' }).description).toBe('Secret Service (D-Bus)');
    expect(new OsKeyring({ platform: 'darwin' }).description).toBe('macOS Keychain');
    expect(new OsKeyring({ platform: 'win32' }).description).toBe('Windows Credential Manager');
    expect(new OsKeyring({ platform: 'freebsd' }).description).toBe('OS keyring');
    expect(new OsKeyring().service).toBe('localagent');
  });

  if (gate.failure) {
    it('is available in CI', () => {
      throw new Error(gate.failure);
    });
  }
});

describe.runIf(gate.run)('OsKeyring against the real Secret Service', () => {
  const service = testService();
  const keyring = new OsKeyring({ service });
  const accounts = new Set<string>();
  const account = (name: string): string => {
    accounts.add(name);
    return name;
  };

  afterAll(async () => {
    for (const name of accounts) await keyring.delete(name).catch(() => false);
  });

  it('stores, reads, replaces and deletes secrets as bytes', async () => {
    const name = account('roundtrip');
    const secret = randomBytes(48);
    await keyring.set(name, secret);
    expect((await keyring.get(name))?.equals(secret)).toBe(true);
    const replacement = Buffer.from(KEYS.openai);
    await keyring.set(name, replacement);
    expect((await keyring.get(name))?.toString()).toBe(KEYS.openai);
    expect(await keyring.delete(name)).toBe(true);
    expect(await keyring.get(name)).toBeNull();
    expect(await keyring.delete(name)).toBe(false);
  });

  it('really writes to the OS store: secret-tool sees the entry', async () => {
    const name = account('visible');
    await keyring.set(name, Buffer.from('visible-to-secret-tool'));
    const { stdout } = await promisify(execFile)('secret-tool', ['lookup', 'service', service, 'username', name]).catch(() => ({ stdout: 'secret-tool unavailable' }));
    if (stdout !== 'secret-tool unavailable') expect(stdout.trim()).toBe('visible-to-secret-tool');
    // A separate adapter object (as another process would have) reads it too.
    expect((await new OsKeyring({ service }).get(name))?.toString()).toBe('visible-to-secret-tool');
  });

  it('keeps services apart', async () => {
    const name = account('separate');
    await keyring.set(name, Buffer.from('mine-only-secret'));
    expect(await new OsKeyring({ service: testService() }).get(name)).toBeNull();
  });
});

describe.runIf(gate.run)('KeyStore on the real Secret Service', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let service: string;
  const stores: KeyStore[] = [];

  beforeEach(async () => {
    ({ home, cleanup } = await makeHome());
    service = testService();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    const keyring = new OsKeyring({ service });
    for (const provider of ['openai', 'anthropic', 'gemini']) await keyring.delete(provider).catch(() => false);
    await cleanup();
  });

  const store = (backend: 'auto' | 'keyring' | 'file' = 'auto'): KeyStore => {
    const s = createKeyStore({ home, backend, env: {}, keyringService: service, kdf: FAST_KDF, getMasterPassword: async () => Buffer.from('unused password') });
    stores.push(s);
    return s;
  };

  it("auto chooses the keyring; the secret is the keyring entry and keys.json holds only metadata", async () => {
    const s = store();
    const stored = await s.set('anthropic', Buffer.from(KEYS.anthropic));
    expect(stored).toMatchObject({ backend: 'keyring', rotatedAt: null });
    expect(stored.fallbackReason).toBeUndefined();
    expect((await new OsKeyring({ service }).get('anthropic'))?.toString()).toBe(KEYS.anthropic);
    const other = store();
    expect(await other.get('anthropic')).toMatchObject({ source: 'keyring', fingerprint: stored.fingerprint });
    expect((await readFile(join(home, 'keys.json'), 'utf8')).includes(KEYS.anthropic)).toBe(false);
    await expect(readFile(join(home, 'vault.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rotates, lists and deletes keyring keys', async () => {
    const s = store('keyring');
    const first = await s.set('openai', Buffer.from(KEYS.openai));
    const rotated = await s.rotate('openai', Buffer.from(KEYS.openai2));
    expect(rotated).toMatchObject({ backend: 'keyring', createdAt: first.createdAt, rotatedAt: expect.any(String) });
    expect((await store('keyring').get('openai')).value.toString()).toBe(KEYS.openai2);
    expect(await s.list()).toMatchObject([{ provider: 'openai', source: 'keyring', fingerprint: rotated.fingerprint, createdAt: first.createdAt }]);
    expect(await s.delete('openai')).toEqual({ provider: 'openai', removedFrom: ['keyring'] });
    expect(await new OsKeyring({ service }).get('openai')).toBeNull();
    await expect(s.get('openai')).rejects.toMatchObject({ code: 'LA_KEY_NOT_FOUND' });
  });

  it('doctor finds the keyring usable and leaves no probe entry behind', async () => {
    const report = await store().doctor();
    expect(report.keyring).toEqual({ usable: true, store: 'Secret Service (D-Bus)' });
    expect(report.auto).toBe('keyring');
  });

  it('moving a key from the keyring to the vault removes the keyring entry', async () => {
    const s = store();
    await s.set('gemini', Buffer.from(KEYS.gemini));
    await s.set('gemini', Buffer.from(KEYS.gemini), { backend: 'file' });
    expect(await new OsKeyring({ service }).get('gemini')).toBeNull();
    expect((await s.get('gemini')).source).toBe('file');
    for (const { bytes } of await allFiles(home)) expect(bytes.includes(KEYS.gemini)).toBe(false);
  });
});
