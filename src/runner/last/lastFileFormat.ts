import { UserInputError } from '../../core/errors/index.js';
import type { FieldCipher } from '../../core/crypto/index.js';
import { resultsEncrypted } from '../../security/crypto/index.js';

/**
 * How a `.last` result is laid out in a file. Plain: the result's JSON. Encrypted
 * (`security.encrypt_results`): a small JSON envelope,
 *
 *     {"last_encrypted":1,"cipher":"la-enc:v1:<key id>:<base64url>"}
 *
 * which says what it is to a person who opens it, and holds nothing of the result in the clear.
 */
export const LAST_ENCRYPTED_VERSION = 1;

interface EncryptedLastFile {
  last_encrypted: number;
  cipher: string;
}

function isEncryptedLastFile(value: unknown): value is EncryptedLastFile {
  return value !== null && typeof value === 'object' && 'last_encrypted' in value && typeof (value as { cipher?: unknown }).cipher === 'string';
}

/** The file text for a result already serialised as `json`: sealed when a cipher is given. One line, ending in a newline. */
export function encodeLastFile(json: string, cipher?: FieldCipher): string {
  if (!cipher) return `${json}\n`;
  const envelope: EncryptedLastFile = { last_encrypted: LAST_ENCRYPTED_VERSION, cipher: cipher.seal(json) };
  return `${JSON.stringify(envelope)}\n`;
}

function notJson(source: string, cause: unknown): UserInputError {
  return new UserInputError({
    code: 'LA_LAST_INVALID',
    message: `${source} is not a .last result: it is not JSON (${(cause as Error).message}).`,
    suggestion: 'Give the path of a .last file LocalAgent wrote (`localagent runs list` shows the runs; their files are in the runs folder of the home).',
    details: { source },
    cause,
  });
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw notJson(source, error);
  }
}

/**
 * The JSON value of a `.last` file's text, opened when it is encrypted (an envelope, or bare
 * sealed text). Without a cipher an encrypted file gives `LA_RESULTS_ENCRYPTED`; a wrong key or an
 * altered file give the cipher's own errors. The value is not yet checked against the schema.
 */
export function decodeLastFile(text: string, source: string, cipher?: FieldCipher & { open(stored: string, source?: string): string }): unknown {
  const trimmed = text.trim();
  let sealed: string | undefined;
  if (cipher?.isSealed(trimmed) ?? trimmed.startsWith('la-enc:')) {
    sealed = trimmed;
  } else {
    const value = parseJson(trimmed, source);
    if (!isEncryptedLastFile(value)) return value;
    sealed = value.cipher;
  }
  if (!cipher) throw resultsEncrypted(source);
  return parseJson(cipher.open(sealed, source), source);
}
