/**
 * Words as both full-text engines see them: runs of letters, digits and combining marks, lower
 * case. Everything else separates words (so `LA_TIMEOUT` is the words `la timeout`, and
 * `out/notes.txt` is `out notes txt`). The index and the query are both cut this way, so SQLite's
 * FTS5 and PostgreSQL's `simple` text search configuration find the same runs.
 */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** The words of `text`, lower case, in order. */
export function searchWords(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** What text that is its own word list (lower-case ASCII letters and digits, single spaces between) lacks. */
const NOT_PLAIN = /[^a-z0-9 ]|^ | $| {2}/;

/** `text` reduced to its words, separated by single spaces: what the index stores. */
export function indexText(text: string): string {
  const lower = text.toLowerCase();
  // Most commands and titles are plain words: then the Unicode word split would give them back as they are.
  if (!NOT_PLAIN.test(lower)) return lower;
  return (lower.match(WORD) ?? []).join(' ');
}
