import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * `la_tok_<id>_<secret>`: the prefix makes a leaked token recognisable (the Redactor masks it,
 * secret scanners can match it); `id` (12 hex digits) is public and names the row to check; the
 * secret is 32 random bytes, base64url.
 */
const TOKEN_SHAPE = /^la_tok_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** A token's public id: shown in listings and logs, used as the policy principal. */
export function newTokenId(): string {
  return randomBytes(6).toString('hex');
}

export function newToken(id: string): string {
  return `la_tok_${id}_${randomBytes(32).toString('base64url')}`;
}

/** The id of a well-formed token, or undefined for anything else. */
export function tokenIdOf(token: string): string | undefined {
  return TOKEN_SHAPE.exec(token)?.[1];
}

/** What is stored instead of the token: SHA-256, hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares a presented token with a stored hash in constant time. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const presented = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
