import type { FieldCipher } from '../../core/crypto/index.js';
import { isEnvelope } from './envelope.js';
import { resultsEncrypted } from './errors.js';

/**
 * The cipher stores get while `security.encrypt_results` is off: it keeps plain text as it is,
 * and where a value sealed earlier turns up (encryption was on when it was written), it says so
 * with `LA_RESULTS_ENCRYPTED` instead of handing ciphertext to a JSON parser.
 */
export class KeylessCipher implements FieldCipher {
  seal(plain: string): string {
    return plain;
  }

  open(stored: string, source?: string): string {
    if (isEnvelope(stored)) throw resultsEncrypted(source);
    return stored;
  }

  isSealed(stored: string): boolean {
    return isEnvelope(stored);
  }
}
