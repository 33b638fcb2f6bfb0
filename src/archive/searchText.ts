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

/** `text` reduced to its words, separated by single spaces: what the index stores. */
export function indexText(text: string): string {
  return searchWords(text).join(' ');
}
