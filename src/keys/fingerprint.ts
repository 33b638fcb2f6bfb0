import { createHash } from 'node:crypto';
import { maskSecret } from '../core/redact/index.js';

/**
 * A short, stable identifier of a key that reveals nothing usable: the first 16 hex digits (64 bits)
 * of its SHA-256, e.g. `sha256:3f2a…`. API keys are long random strings, so the hash cannot be
 * reversed or guessed. Reproduce it by hand with `printf %s "$KEY" | sha256sum | cut -c1-16`.
 */
export function fingerprint(key: Uint8Array): string {
  return `sha256:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/**
 * The key as people recognise it, `sk-…abcd` (public prefix and last four characters), computed
 * from a 12-character stand-in (first eight and last four bytes) so the whole key never becomes a
 * JavaScript string here.
 */
export function maskKey(key: Uint8Array): string {
  if (key.length < 12) return maskSecret('');
  // Views, not copies: no extra key bytes are left behind in memory.
  const view = Buffer.from(key.buffer, key.byteOffset, key.length);
  const head = view.toString('latin1', 0, 8);
  const tail = view.toString('latin1', key.length - 4);
  return maskSecret(head + tail);
}
