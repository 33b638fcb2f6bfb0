import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost parameters. Memory used is about 128 · N · r bytes. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/** 2^17 · 8 · 128 B = 128 MiB and a few hundred ms per unlock: OWASP's scrypt baseline. */
export const DEFAULT_SCRYPT: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

/** Bounds for reading and writing: low enough to refuse a vault that would take gigabytes to open. */
const MIN_N = 2 ** 10;
const MAX_MEMORY = 1024 * 1024 * 1024;

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const SALT_BYTES = 16;

/** Why the parameters are unusable, or undefined when they are fine. */
export function scryptParamsProblem(params: ScryptParams): string | undefined {
  const { N, r, p } = params;
  if (!Number.isSafeInteger(N) || N < MIN_N || (N & (N - 1)) !== 0) return `scrypt N must be a power of two of at least ${MIN_N}`;
  if (!Number.isSafeInteger(r) || r < 1 || r > 32) return 'scrypt r must be between 1 and 32';
  if (!Number.isSafeInteger(p) || p < 1 || p > 16) return 'scrypt p must be between 1 and 16';
  if (128 * N * r * p > MAX_MEMORY) return 'scrypt parameters would need more than 1 GiB of memory';
  return undefined;
}

/** The key-encryption key from the master password. */
export function deriveKek(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  const { N, r, p } = params;
  return new Promise((resolve, reject) => {
    // Node refuses when 128·N·r exceeds maxmem (default 32 MiB); allow what these parameters need.
    scrypt(password, salt, KEY_BYTES, { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export interface Sealed {
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** AES-256-GCM with a fresh random 96-bit nonce; `aad` is authenticated but not stored. */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string): Sealed {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { nonce, ciphertext, tag: cipher.getAuthTag() };
}

/** The plaintext, or undefined when the key, the data or the `aad` do not match (authentication failed). */
export function open(key: Uint8Array, sealed: Sealed, aad: string): Buffer | undefined {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.tag);
  const head = decipher.update(sealed.ciphertext);
  try {
    return Buffer.concat([head, decipher.final()]);
  } catch {
    return undefined;
  } finally {
    // update() already produced unauthenticated plaintext; do not leave it behind.
    head.fill(0);
  }
}

/** Separate keys for record encryption and for the file MAC, derived from the data key with HKDF-SHA256. */
export interface VaultKeys {
  encKey: Buffer;
  macKey: Buffer;
}

export function deriveVaultKeys(dataKey: Uint8Array): VaultKeys {
  const derive = (info: string): Buffer => Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), info, KEY_BYTES));
  return { encKey: derive('localagent-vault/1 records'), macKey: derive('localagent-vault/1 file-mac') };
}

export function macOf(macKey: Uint8Array, text: string): Buffer {
  return createHmac('sha256', macKey).update(text, 'utf8').digest();
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
