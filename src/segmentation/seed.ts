import { oneLine } from './text.js';

/**
 * A seed derived from the command alone (FNV-1a, 32 bits, over its UTF-16 code units with
 * whitespace collapsed): the same command always gets the same seed, on every machine, so a plan
 * made without `--seed` is still reproducible.
 */
export function deriveSeed(command: string): number {
  let hash = 0x811c9dc5;
  const text = oneLine(command);
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
