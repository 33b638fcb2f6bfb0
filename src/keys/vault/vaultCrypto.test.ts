import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, deriveKek, deriveVaultKeys, equalBytes, macOf, open, scryptParamsProblem, seal } from './vaultCrypto.js';

describe('vault crypto', () => {
  const key = randomBytes(32);

  it('seals with a fresh 96-bit nonce each time and opens with the same key and associated data', () => {
    const a = seal(key, Buffer.from('secret'), 'aad');
    const b = seal(key, Buffer.from('secret'), 'aad');
    expect(a.nonce).toHaveLength(12);
    expect(a.tag).toHaveLength(16);
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(open(key, a, 'aad')?.toString()).toBe('secret');
  });

  it('fails authentication on a flipped ciphertext bit, a wrong tag, other associated data or another key', () => {
    const sealed = seal(key, Buffer.from('secret value'), 'provider=openai');
    const flipped = Buffer.from(sealed.ciphertext);
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(open(key, { ...sealed, ciphertext: flipped }, 'provider=openai')).toBeUndefined();
    expect(open(key, { ...sealed, tag: randomBytes(16) }, 'provider=openai')).toBeUndefined();
    expect(open(key, sealed, 'provider=anthropic')).toBeUndefined();
    expect(open(randomBytes(32), sealed, 'provider=openai')).toBeUndefined();
  });

  it('derives the same KEK from the same password and salt, a different one otherwise', async () => {
    const salt = randomBytes(16);
    const params = { N: 2 ** 10, r: 8, p: 1 };
    const a = await deriveKek(Buffer.from('pw'), salt, params);
    expect(a).toHaveLength(32);
    expect(equalBytes(a, await deriveKek(Buffer.from('pw'), salt, params))).toBe(true);
    expect(equalBytes(a, await deriveKek(Buffer.from('pX'), salt, params))).toBe(false);
    expect(equalBytes(a, await deriveKek(Buffer.from('pw'), randomBytes(16), params))).toBe(false);
  });

  it('rejects a KDF call that cannot run', async () => {
    await expect(deriveKek(Buffer.from('pw'), randomBytes(16), { N: 3, r: 8, p: 1 })).rejects.toThrow();
  });

  it('derives distinct record and MAC keys', () => {
    const { encKey, macKey } = deriveVaultKeys(key);
    expect(encKey.equals(macKey)).toBe(false);
    expect(macOf(macKey, 'x')).toHaveLength(32);
    expect(equalBytes(macOf(macKey, 'x'), macOf(macKey, 'y'))).toBe(false);
    expect(equalBytes(Buffer.alloc(1), Buffer.alloc(2))).toBe(false);
  });

  it('bounds the scrypt parameters', () => {
    expect(scryptParamsProblem(DEFAULT_SCRYPT)).toBeUndefined();
    expect(DEFAULT_SCRYPT).toEqual({ N: 131072, r: 8, p: 1 });
    expect(scryptParamsProblem({ N: 1000, r: 8, p: 1 })).toContain('power of two');
    expect(scryptParamsProblem({ N: 512, r: 8, p: 1 })).toContain('power of two');
    expect(scryptParamsProblem({ N: 1024, r: 0, p: 1 })).toContain('r must');
    expect(scryptParamsProblem({ N: 1024, r: 8, p: 17 })).toContain('p must');
    expect(scryptParamsProblem({ N: 2 ** 21, r: 8, p: 1 })).toContain('1 GiB');
  });
});
