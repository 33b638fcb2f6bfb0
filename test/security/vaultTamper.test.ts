import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlmServer } from '../../src/devtools/mock-llm/index.js';
import { useAttackSites, type AttackSite } from './support/attackHarness.js';

/**
 * Someone edits the encrypted key vault: flips a byte of a record, swaps two records, cuts the
 * file short. Using a key must then fail with a clear LA_ error (no stack trace), no key may leave
 * the vault (the provider sees no request), and LocalAgent must not rewrite the damaged file
 * (a write would bless the tampering with a fresh MAC).
 */
const site = useAttackSites();
const PASSWORD = 'correct horse battery staple';
const KEY = `sk-mine-${randomBytes(16).toString('hex')}`;
const OTHER = `sk-other-${randomBytes(16).toString('hex')}`;
let mock: MockLlmServer;

beforeAll(async () => {
  mock = await startMockLlm({ requireKey: KEY });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.reset();
});

interface VaultJson {
  records: Record<string, { nonce: string; ciphertext: string; tag: string; [field: string]: unknown }>;
  [field: string]: unknown;
}

async function vaultSite(): Promise<{ s: AttackSite; file: string; la: (argv: string[], input?: string) => ReturnType<AttackSite['la']> }> {
  const s = await site(
    [
      'orchestrator:',
      '  detect_ollama: false',
      'resilience:',
      '  retry: { max_attempts: 1 }',
      'providers:',
      '  mylocal:',
      '    type: openai-compatible',
      `    base_url: ${mock.openaiBaseUrl}`,
      '  other:',
      '    type: openai-compatible',
      `    base_url: ${mock.openaiBaseUrl}`,
      'models:',
      '  - id: m',
      '    provider: mylocal',
      '    model: fast',
      '',
    ].join('\n'),
  );
  const la = (argv: string[], input?: string): ReturnType<AttackSite['la']> => s.la(argv, { env: { LOCALAGENT_MASTER_PASSWORD: PASSWORD }, ...(input !== undefined ? { input } : {}) });
  expect((await la(['config', 'set-key', 'mylocal', '--stdin', '--no-validate'], `${KEY}\n`)).code).toBe(0);
  expect((await la(['config', 'set-key', 'other', '--stdin', '--no-validate'], `${OTHER}\n`)).code).toBe(0);
  const ok = await la(['ask', 'still works?', '--model', 'm', '--no-stream']);
  expect(ok.code, ok.stderr).toBe(0);
  mock.reset();
  return { s, file: join(s.home, 'vault.json'), la };
}

/** Uses the key, and checks: a clear error, no key sent anywhere, the file as the attacker left it, nothing outside. */
async function expectRefused(s: AttackSite, file: string, la: (argv: string[], input?: string) => ReturnType<AttackSite['la']>, codes: string[]): Promise<void> {
  const tampered = await readFile(file);
  const asked = await la(['ask', 'give me the key', '--model', 'm', '--no-stream', '--json']);
  expect(asked.code).toBe(1);
  const error = (JSON.parse(asked.stderr) as { error: { code: string; message: string } }).error;
  expect(codes).toContain(error.code);
  expect(asked.stderr).not.toMatch(/\n\s+at /);
  expect(asked.stdout + asked.stderr).not.toContain(KEY);
  expect(asked.stdout + asked.stderr).not.toContain(OTHER);
  expect(mock.requests.filter((r) => r.path !== '/v1/models')).toEqual([]);
  // Storing another key must not rewrite (and so re-MAC) the damaged vault either.
  const stored = await la(['config', 'set-key', 'third', '--stdin', '--no-validate', '--json'], 'sk-third-0123456789abcdef\n'); // secret-scan: allow (fake value for a test or benchmark)
  expect(stored.code).toBe(1);
  expect(codes).toContain((JSON.parse(stored.stderr) as { error: { code: string } }).error.code);
  expect((await readFile(file)).equals(tampered)).toBe(true);
  expect(await s.outsideNow()).toEqual(s.outsideBefore);
}

describe('a tampered key vault', { timeout: 180_000 }, () => {
  it('a flipped byte in a record: LA_VAULT_CORRUPT, no key returned, the file unchanged', async () => {
    const { s, file, la } = await vaultSite();
    const vault = JSON.parse(await readFile(file, 'utf8')) as VaultJson;
    const record = vault.records.mylocal as VaultJson['records'][string];
    const bytes = Buffer.from(record.ciphertext, 'base64');
    bytes[0] = (bytes[0] as number) ^ 0x01;
    record.ciphertext = bytes.toString('base64');
    await writeFile(file, `${JSON.stringify(vault, null, 2)}\n`);
    await expectRefused(s, file, la, ['LA_VAULT_CORRUPT']);
  });

  it('two records swapped between providers: LA_VAULT_CORRUPT, neither key returned', async () => {
    const { s, file, la } = await vaultSite();
    const vault = JSON.parse(await readFile(file, 'utf8')) as VaultJson;
    const { mylocal, other } = vault.records as { mylocal: VaultJson['records'][string]; other: VaultJson['records'][string] };
    vault.records.mylocal = { ...mylocal, nonce: other.nonce, ciphertext: other.ciphertext, tag: other.tag };
    vault.records.other = { ...other, nonce: mylocal.nonce, ciphertext: mylocal.ciphertext, tag: mylocal.tag };
    await writeFile(file, `${JSON.stringify(vault, null, 2)}\n`);
    await expectRefused(s, file, la, ['LA_VAULT_CORRUPT']);
  });

  it('the file cut short: LA_VAULT_CORRUPT, the file unchanged', async () => {
    const { s, file, la } = await vaultSite();
    const text = await readFile(file);
    await writeFile(file, text.subarray(0, text.length >> 1));
    await expectRefused(s, file, la, ['LA_VAULT_CORRUPT']);
  });

  it('the wrapped data key edited (header): LA_VAULT_BAD_PASSWORD or LA_VAULT_CORRUPT, never a key', async () => {
    const { s, file, la } = await vaultSite();
    const vault = JSON.parse(await readFile(file, 'utf8')) as VaultJson & { data_key: { tag: string } };
    const tag = Buffer.from(vault.data_key.tag, 'base64');
    tag[3] = (tag[3] as number) ^ 0x80;
    vault.data_key.tag = tag.toString('base64');
    await writeFile(file, `${JSON.stringify(vault, null, 2)}\n`);
    await expectRefused(s, file, la, ['LA_VAULT_BAD_PASSWORD', 'LA_VAULT_CORRUPT']);
  });
});
