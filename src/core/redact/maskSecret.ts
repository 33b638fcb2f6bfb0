/**
 * A recognisable but useless rendering of a secret: its public prefix and last four characters,
 * e.g. `sk-…abcd`. Short secrets show nothing of themselves.
 */
export function maskSecret(secret: string): string {
  if (secret.length < 12) return '…';
  const prefix = /^(sk-ant-|sk-proj-|sk-or-|sk-|AIza|gsk_|xai-|la_tok_|la_key_)/.exec(secret)?.[0] ?? '';
  return `${prefix}…${secret.slice(-4)}`;
}
