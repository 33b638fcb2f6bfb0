/** The two languages the rules planner reads. */
export type RulesLanguage = 'en' | 'tr';

/**
 * The form words are matched in: lower case, with the combining dot that `'İ'.toLowerCase()`
 * leaves behind removed (so `İndir` matches `indir`) and typographic apostrophes made plain.
 */
export function normalizeWord(word: string): string {
  return word.toLowerCase().replace(/\u0307/g, '').replace(/[’‘]/g, "'");
}

/**
 * An identifier-safe ASCII slug (`Özet Raporu.md` → `ozet_raporu_md`): task ids must match
 * `[A-Za-z_][A-Za-z0-9_-]*`, and Turkish letters fold to their base letters so ids stay readable.
 */
export function slugify(text: string, max = 32): string {
  const folded = normalizeWord(text).replace(/ı/g, 'i').normalize('NFD').replace(/\p{M}/gu, '');
  const slug = folded.replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return slug.slice(0, max).replace(/_+$/, '');
}

/** Upper-cases the first letter the way the language does (`i` → `İ` in Turkish). */
export function capitalize(text: string, language: string): string {
  const first = text.charAt(0);
  return first === '' ? text : first.toLocaleUpperCase(language === 'tr' ? 'tr-TR' : 'en-US') + text.slice(1);
}

/** Shortens to at most `max` characters, ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** Collapses runs of whitespace, so titles stay on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
