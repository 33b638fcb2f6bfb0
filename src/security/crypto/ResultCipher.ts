import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { FieldCipher } from '../../core/crypto/index.js';
import { badDataKey, cipherDisposed, resultsKeyMismatch, resultsTampered } from './errors.js';
import { envelopeHeader, formatEnvelope, isEnvelope, NONCE_BYTES, parseEnvelope, TAG_BYTES } from './envelope.js';

const DATA_KEY_BYTES = 32;
/** Nonces drawn from the CSPRNG at once: one `randomBytes` call costs about as much as sealing a small value. */
const NONCE_POOL = 1024;
/** HKDF info: the AES key for results is derived, so the stored data key could serve other purposes without reuse. */
const HKDF_INFO = 'localagent results/v1 aes-256-gcm';

/** The id of a data key: the first 16 hex digits of its SHA-256, the same as the key store's fingerprint. */
export function dataKeyId(dataKey: Uint8Array): string {
  return createHash('sha256').update(dataKey).digest('hex').slice(0, 16);
}

/**
 * AES-256-GCM over text, in the `la-enc:v1:…` envelope (see envelope.ts). Seals with the current
 * data key and a fresh random 96-bit nonce each time; opens values sealed with the current key or
 * any earlier key it was given, so a key can be rotated without losing what the old one sealed.
 * Plain text (anything not starting with `la-enc:`) passes through `open` unchanged.
 */
export class ResultCipher implements FieldCipher {
  /** Id of the key new values are sealed with. */
  readonly keyId: string;
  /** AES keys by key id, current first. */
  private readonly keys = new Map<string, Buffer>();
  /** The associated data of the current key's envelopes, encoded once. */
  private readonly aad: Buffer;
  /** Random bytes not yet used as a nonce; each 12-byte slice is used once, then the pool is refilled. */
  private nonces = Buffer.alloc(0);
  private nonceOffset = 0;
  private disposed = false;

  /** `current` and `previous` are data keys as the key store holds them; the caller may wipe them afterwards. */
  constructor(current: Uint8Array, previous: readonly Uint8Array[] = []) {
    for (const key of [current, ...previous]) {
      if (key.length !== DATA_KEY_BYTES) throw badDataKey(key.length);
      const id = dataKeyId(key);
      if (!this.keys.has(id)) this.keys.set(id, Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), HKDF_INFO, DATA_KEY_BYTES)));
    }
    this.keyId = dataKeyId(current);
    this.aad = Buffer.from(envelopeHeader(this.keyId), 'utf8');
  }

  /** Ids of every key this cipher can open with, current first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  seal(plain: string): string {
    const key = this.key(this.keyId);
    const nonce = this.nextNonce();
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(this.aad);
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return formatEnvelope({ keyId: this.keyId, nonce, ciphertext, tag: cipher.getAuthTag() });
  }

  /**
   * The plain text of a sealed value; plain text comes back unchanged. `source` names where the
   * value came from, for the error message. Throws `LA_RESULTS_KEY_MISMATCH` (another key sealed
   * it), `LA_RESULTS_TAMPERED` (authentication failed) or `LA_RESULTS_CIPHER_UNSUPPORTED`.
   */
  open(stored: string, source?: string): string {
    if (!this.isSealed(stored)) return stored;
    if (this.disposed) throw cipherDisposed();
    const envelope = parseEnvelope(stored, source);
    const key = this.keys.get(envelope.keyId);
    if (!key) throw resultsKeyMismatch(envelope.keyId, this.keyIds, source);
    const decipher = createDecipheriv('aes-256-gcm', key, envelope.nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(envelopeHeader(envelope.keyId), 'utf8'));
    decipher.setAuthTag(envelope.tag);
    const head = decipher.update(envelope.ciphertext);
    try {
      return Buffer.concat([head, decipher.final()]).toString('utf8');
    } catch {
      throw resultsTampered('the authentication tag does not match', source);
    } finally {
      // update() already produced unauthenticated plain text; do not leave it behind.
      head.fill(0);
    }
  }

  isSealed(stored: string): boolean {
    return isEnvelope(stored);
  }

  /** Wipes the keys from memory; sealing and opening sealed values fail afterwards. */
  dispose(): void {
    for (const key of this.keys.values()) key.fill(0);
    this.disposed = true;
  }

  /** A fresh random 96-bit nonce (a copy: the pool is reused for the next ones). */
  private nextNonce(): Buffer {
    if (this.nonceOffset + NONCE_BYTES > this.nonces.length) {
      this.nonces = randomBytes(NONCE_BYTES * NONCE_POOL);
      this.nonceOffset = 0;
    }
    const nonce = Buffer.from(this.nonces.subarray(this.nonceOffset, this.nonceOffset + NONCE_BYTES));
    this.nonceOffset += NONCE_BYTES;
    return nonce;
  }

  private key(id: string): Buffer {
    if (this.disposed) throw cipherDisposed();
    return this.keys.get(id) as Buffer;
  }
}
