/**
 * Seals text before it is stored at rest and opens it when read back. With `security.encrypt_results: true` the
 * app passes an AES-256-GCM cipher (src/security/crypto) to everything that stores results: `.last` files, the
 * run journal's task data, stored results and `.atlas` records. Without it, stores keep plain text.
 *
 * `open` must accept plain text written before encryption was turned on (and return it unchanged), so turning the
 * option on never makes old runs unreadable.
 */
export interface FieldCipher {
  /** Encrypts `plain`; the result is a printable string safe for a text column or a JSON file. */
  seal(plain: string): string;
  /** Decrypts what `seal` produced; plain text that was never sealed comes back unchanged. */
  open(stored: string): string;
  /** Whether `stored` is sealed (so readers can say "encrypted" instead of showing ciphertext). */
  isSealed(stored: string): boolean;
}
