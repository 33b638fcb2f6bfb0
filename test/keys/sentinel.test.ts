import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalAgentError } from '../../src/core/errors/index.js';
import { Redactor } from '../../src/core/redact/index.js';
import { createKeyStore, OsKeyring, validateKeyLive, type KeyStore, type KeyStoreOptions } from '../../src/keys/index.js';
import { keyringGate, testService } from '../../src/keys/test-support/keyringGate.js';
import { allFiles, FAST_KDF, makeHome } from '../../src/keys/test-support/testHome.js';

const gate = await keyringGate('keyring part of the sentinel test (test/keys/sentinel.test.ts)');

/** One unique marker inside every key used here: if it shows up anywhere, a key leaked. */
const MARK = `SENTINEL${randomBytes(12).toString('hex')}`;
const KEY = {
  env: `sk-proj-${MARK}envenvenv`,
  file: `sk-proj-${MARK}filefile`,
  fileRotated: `sk-proj-${MARK}rotated1`,
  keyring: `sk-ant-api03-${MARK}${'k'.repeat(30)}`,
  rejected: `sk-${MARK}rejected00`,
};
const forms = (text: string): string[] => [text, Buffer.from(text).toString('base64'), Buffer.from(text).toString('hex')];

describe('sentinel: keys never reach files, errors or logs', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let server: Server;
  const errors: unknown[] = [];
  const redactor = new Redactor();
  const service = testService();
  const stores: KeyStore[] = [];

  const store = (options: Partial<KeyStoreOptions> = {}): KeyStore => {
    const s = createKeyStore({
      home,
      env: { OPENAI_API_KEY: KEY.env },
      keyringService: service,
      keyring: gate.run ? new OsKeyring({ service }) : null,
      kdf: FAST_KDF,
      redactor,
      getMasterPassword: async () => Buffer.from('sentinel master password'),
      ...options,
    });
    stores.push(s);
    return s;
  };
  const capture = async (promise: Promise<unknown>): Promise<void> => {
    errors.push(await promise.then(() => new Error('expected a failure'), (e: unknown) => e));
  };

  beforeAll(async () => {
    ({ home, cleanup } = await makeHome());
    server = createServer((req, res) => {
      // A provider that echoes the credential back, as some do in error bodies.
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `bad key ${String(req.headers.authorization)}` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    if (gate.run) await new OsKeyring({ service }).delete('anthropic').catch(() => false);
    server.close();
    await cleanup();
  });

  if (gate.failure) {
    it('needs the OS keyring in CI', () => {
      throw new Error(gate.failure);
    });
  }

  it('goes through every path: env, file, keyring, rotation, listing, doctor and failures', async () => {
    const s = store();
    // Environment.
    expect((await s.get('openai')).value.toString()).toBe(KEY.env);
    // Vault file, including rotation and a reader in a fresh object.
    await s.set('my-gateway', Buffer.from(KEY.file), { backend: 'file' });
    await s.rotate('my-gateway', Buffer.from(KEY.fileRotated));
    expect((await store().get('my-gateway')).value.toString()).toBe(KEY.fileRotated);
    // OS keyring (when this machine has one).
    if (gate.run) {
      expect((await s.set('anthropic', Buffer.from(KEY.keyring), { backend: 'keyring' })).backend).toBe('keyring');
      expect((await store().get('anthropic')).value.toString()).toBe(KEY.keyring);
    }
    await s.list();
    await s.doctor();
    // Failures of every kind, each holding a key somewhere in its inputs.
    await capture(s.set('openai', Buffer.from(`${KEY.file} `)));
    await capture(s.set('anthropic', Buffer.from(KEY.file)));
    await capture(store({ getMasterPassword: async () => Buffer.from('wrong password!') }).get('my-gateway'));
    await capture(store({ getMasterPassword: undefined }).get('my-gateway'));
    await capture(s.get('nothing-here'));
    await capture(validateKeyLive({ kind: 'openai', baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, key: Buffer.from(KEY.rejected) }));
    await capture(validateKeyLive({ kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1', key: Buffer.from(KEY.rejected) }));
    await s.delete('my-gateway');
    for (const each of stores) await each.flushAudit();

    expect(errors.map((e) => (e as LocalAgentError).code)).toEqual([
      'LA_KEY_FORMAT',
      'LA_KEY_FORMAT',
      'LA_VAULT_BAD_PASSWORD',
      'LA_MASTER_PASSWORD_REQUIRED',
      'LA_KEY_NOT_FOUND',
      'LA_KEY_REJECTED',
      'LA_KEY_CHECK_NETWORK',
    ]);
  });

  it('no file under the home contains any key, in any encoding', async () => {
    const files = await allFiles(home);
    expect(files.map((f) => f.path.slice(home.length))).toEqual(expect.arrayContaining(['/vault.json', '/audit/keys.audit.jsonl', '/audit/keys.audit.jsonl.head']));
    if (gate.run) expect(files.map((f) => f.path.slice(home.length))).toContain('/keys.json');
    for (const { path, bytes } of files) {
      for (const form of forms(MARK)) expect(bytes.includes(form), `${form} in ${path}`).toBe(false);
    }
  });

  it('no error message, suggestion, detail, stack or cause contains any key', () => {
    for (const error of errors) {
      const seen: string[] = [];
      for (let e: unknown = error; e instanceof Error; e = e.cause) {
        seen.push(e.message, String(e.stack));
        if (e instanceof LocalAgentError) seen.push(e.suggestion, JSON.stringify(e.toJSON()));
      }
      expect(seen.join('\n')).not.toContain(MARK);
    }
  });

  it('the redactor hides every key the store handled', () => {
    const text = `env ${KEY.env} file ${KEY.fileRotated}${gate.run ? ` keyring ${KEY.keyring}` : ''}`;
    expect(redactor.text(text)).not.toContain(MARK);
  });
});
