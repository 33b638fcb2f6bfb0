import { resultsCipherUnsupported, resultsTampered } from './errors.js';

/**
 * The printable form of a sealed value: `la-enc:v1:<key id>:<payload>`, where the payload is
 * base64url of nonce (12 bytes) ‖ ciphertext ‖ GCM tag (16 bytes). The part before the payload
 * (`la-enc:v1:<key id>`) is the associated data, so changing the version or the key id makes
 * authentication fail rather than pick another key or format.
 */
export const ENVELOPE_PREFIX = 'la-enc:';
export const ENVELOPE_VERSION = 'v1';
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** Key ids are the first 16 hex digits of the data key's SHA-256 (what `config doctor` shows as its fingerprint). */
const KEY_ID = /^[0-9a-f]{16}$/;
const VERSION = /^v\d{1,4}$/;

export interface Envelope {
  keyId: string;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** The associated data of an envelope: its header. */
export function envelopeHeader(keyId: string): string {
  return `${ENVELOPE_PREFIX}${ENVELOPE_VERSION}:${keyId}`;
}

export function isEnvelope(text: string): boolean {
  return typeof text === 'string' && text.startsWith(ENVELOPE_PREFIX);
}

export function formatEnvelope(envelope: Envelope): string {
  return `${envelopeHeader(envelope.keyId)}:${Buffer.concat([envelope.nonce, envelope.ciphertext, envelope.tag]).toString('base64url')}`;
}

/** Splits a sealed value into its parts; throws `LA_RESULTS_TAMPERED` or `LA_RESULTS_CIPHER_UNSUPPORTED`. */
export function parseEnvelope(text: string, source?: string): Envelope {
  const parts = text.slice(ENVELOPE_PREFIX.length).split(':');
  const [version = '', keyId = '', payload = ''] = parts;
  if (version !== ENVELOPE_VERSION) {
    if (VERSION.test(version)) throw resultsCipherUnsupported(version, source);
    throw resultsTampered('the envelope has no version', source);
  }
  if (parts.length !== 3) throw resultsTampered('the envelope does not have three parts', source);
  if (!KEY_ID.test(keyId)) throw resultsTampered('the key id is malformed', source);
  const trimmed = payload.trimEnd();
  const bytes = Buffer.from(trimmed, 'base64url');
  // The decoder skips characters outside the alphabet and stops at "=": either leaves fewer bytes
  // than the length promises. (Cheaper than a regular expression over megabytes.)
  if (trimmed.length === 0 || bytes.length !== Math.floor((trimmed.length * 3) / 4)) throw resultsTampered('the payload is not base64url', source);
  if (bytes.length < NONCE_BYTES + TAG_BYTES) throw resultsTampered('the payload is too short', source);
  return {
    keyId,
    nonce: bytes.subarray(0, NONCE_BYTES),
    ciphertext: bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES),
    tag: bytes.subarray(bytes.length - TAG_BYTES),
  };
}
