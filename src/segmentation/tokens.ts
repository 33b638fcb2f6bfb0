import { normalizeWord } from './text.js';

/**
 * - `word`: a run of non-space characters (a verb, a path, a number…), trailing punctuation peeled off
 * - `quoted`: text in "…", '…', `…`, “…” or ‘…’; never split, never matched as words
 * - `url`: an http(s) URL, without trailing punctuation or a Turkish case suffix
 * - `punct`: `;` `,` `.` `!` `?` `:` and brackets; `;` and sentence ends separate steps
 * - `break`: a line break, which also separates steps
 */
export type TokenKind = 'word' | 'quoted' | 'url' | 'punct' | 'break';

export interface Token {
  kind: TokenKind;
  /** As written; for `quoted` the text inside the quotes, for `url` the URL itself. */
  text: string;
  /** `text` normalised for matching (see `normalizeWord`); empty for quoted text and URLs. */
  norm: string;
  /** Offsets of the whole token (quotes and suffix included) in the command. */
  start: number;
  end: number;
  /** A Turkish case suffix written after an apostrophe (`notes.txt'yi` → `yi`), without the apostrophe. */
  suffix?: string;
  /** For `quoted`: the opening quote character. */
  quote?: string;
}

const CLOSING: Readonly<Record<string, readonly string[]>> = {
  '"': ['"', '”'],
  '“': ['”', '"'],
  '„': ['“', '”', '"'],
  '`': ['`'],
  "'": ["'", '’'],
  '‘': ['’', "'"],
  '«': ['»'],
};

/** Turkish case endings that may follow a quoted name or a URL after an apostrophe. */
const CASE_ENDINGS = new Set([
  'i', 'ı', 'u', 'ü', 'yi', 'yı', 'yu', 'yü', 'ni', 'nı', 'nu', 'nü',
  'e', 'a', 'ye', 'ya', 'ne', 'na',
  'de', 'da', 'te', 'ta', 'deki', 'daki', 'teki', 'taki', 'nde', 'nda',
  'den', 'dan', 'ten', 'tan', 'nden', 'ndan',
  'in', 'ın', 'un', 'ün', 'nin', 'nın', 'nun', 'nün',
]);

const TRAILING_PUNCT = '.,;:!?)]}>';
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f' || c === '\v' || c === '\u00a0';
const isLetter = (c: string | undefined): boolean => c !== undefined && /\p{L}/u.test(c);

/** `'yi` / `’den` at the end of `text`, if it is a case ending: returns the ending without the apostrophe. */
export function caseSuffixOf(text: string): string | undefined {
  const cut = Math.max(text.lastIndexOf("'"), text.lastIndexOf('’'));
  if (cut <= 0) return undefined;
  const ending = normalizeWord(text.slice(cut + 1));
  return CASE_ENDINGS.has(ending) ? ending : undefined;
}

/**
 * Splits a command into tokens in one pass. Quoted text and URLs become single tokens first, so
 * `;`, `then` or `.` inside them never split a step. A `'` opens a quote only at the start of a
 * word (so `notes.txt'yi` and `don't` are words), and closes one only before a space, punctuation
 * or a Turkish case ending (`'report.md'ye`).
 */
export function tokenize(command: string): Token[] {
  const tokens: Token[] = [];
  const n = command.length;
  let i = 0;
  const push = (kind: TokenKind, text: string, start: number, end: number, extra: Partial<Token> = {}): void => {
    tokens.push({ kind, text, norm: kind === 'word' || kind === 'punct' ? normalizeWord(text) : '', start, end, ...extra });
  };
  while (i < n) {
    const c = command.charAt(i);
    if (c === '\n') {
      if (tokens.at(-1)?.kind !== 'break') push('break', '\n', i, i + 1);
      i += 1;
      continue;
    }
    if (isSpace(c)) {
      i += 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      push('punct', c, i, i + 1);
      i += 1;
      continue;
    }
    const closers = CLOSING[c];
    const prev = i === 0 ? ' ' : command.charAt(i - 1);
    const opensQuote = closers !== undefined && (c !== "'" && c !== '‘' ? true : isSpace(prev) || '([{:=,'.includes(prev));
    if (opensQuote) {
      const quoted = readQuoted(command, i, closers);
      if (quoted) {
        push('quoted', quoted.inner, i, quoted.end, { quote: c, ...(quoted.suffix ? { suffix: quoted.suffix } : {}) });
        i = quoted.end;
        continue;
      }
    }
    const lower = command.slice(i, i + 8).toLowerCase();
    if (lower.startsWith('https://') || lower.startsWith('http://')) {
      i = readUrl(command, i, tokens);
      continue;
    }
    let j = i;
    while (j < n && !isSpace(command.charAt(j))) j += 1;
    pushWord(command.slice(i, j), i, tokens, push);
    i = j;
  }
  return tokens;
}

function readQuoted(command: string, open: number, closers: readonly string[]): { inner: string; end: number; suffix?: string } | undefined {
  const single = closers.includes("'");
  for (let j = open + 1; j < command.length; j += 1) {
    const ch = command.charAt(j);
    if (!closers.includes(ch)) continue;
    const next = command.charAt(j + 1);
    if (!single) {
      // A case ending right after the closing quote belongs to the quoted name: `"rapor.md"'ye`.
      const tail = /^['’](\p{L}{1,5})(?=$|[\s.,;:!?])/u.exec(command.slice(j + 1, j + 8));
      const ending = tail?.[1] === undefined ? undefined : normalizeWord(tail[1]);
      if (tail && ending !== undefined && CASE_ENDINGS.has(ending)) return { inner: command.slice(open + 1, j), end: j + 1 + tail[0].length, suffix: ending };
      return { inner: command.slice(open + 1, j), end: j + 1 };
    }
    if (!isLetter(next) && !/[0-9]/.test(next)) return { inner: command.slice(open + 1, j), end: j + 1 };
    // `'report.md'ye`: the apostrophe both closes the quote and starts a case ending.
    const ending = /^(\p{L}{1,5})(?=$|[\s.,;:!?])/u.exec(command.slice(j + 1, j + 7))?.[1];
    if (ending !== undefined && CASE_ENDINGS.has(normalizeWord(ending))) {
      return { inner: command.slice(open + 1, j), end: j + 1 + ending.length, suffix: normalizeWord(ending) };
    }
  }
  return undefined;
}

const OPENER: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };

/** Whether a closing bracket at the end of `text` closes one opened inside it (`X_(y)`, not `(x)` + `)`). */
function balanced(text: string, last: string): boolean {
  const open = OPENER[last];
  if (open === undefined) return false;
  let depth = 0;
  for (const ch of text) {
    if (ch === open) depth += 1;
    else if (ch === last) depth -= 1;
  }
  return depth >= 0;
}

function readUrl(command: string, start: number, tokens: Token[]): number {
  let end = start;
  while (end < command.length && !isSpace(command.charAt(end)) && !'"`<>“”'.includes(command.charAt(end))) end += 1;
  let url = command.slice(start, end);
  const trailing: string[] = [];
  let suffix: string | undefined;
  for (let pass = 0; pass < 2; pass += 1) {
    while (url.length > 0 && TRAILING_PUNCT.includes(url.charAt(url.length - 1))) {
      const last = url.charAt(url.length - 1);
      // Keep a closing bracket the URL itself opened (Wikipedia-style `(disambiguation)`).
      if (balanced(url, last)) break;
      trailing.unshift(last);
      url = url.slice(0, -1);
    }
    const ending = suffix === undefined ? caseSuffixOf(url) : undefined;
    if (ending === undefined) break;
    suffix = ending;
    url = url.slice(0, Math.max(url.lastIndexOf("'"), url.lastIndexOf('’')));
  }
  const urlEnd = end - trailing.length;
  tokens.push({ kind: 'url', text: url, norm: '', start, end: urlEnd, ...(suffix ? { suffix } : {}) });
  trailing.forEach((p, k) => tokens.push({ kind: 'punct', text: p, norm: p, start: urlEnd + k, end: urlEnd + k + 1 }));
  return end;
}

function pushWord(raw: string, start: number, tokens: Token[], push: (kind: TokenKind, text: string, start: number, end: number, extra?: Partial<Token>) => void): void {
  // `;` always ends a step, even glued to a word (`a.txt;then`).
  let offset = 0;
  for (const part of raw.split(';')) {
    if (offset > 0) push('punct', ';', start + offset - 1, start + offset);
    peel(part, start + offset, tokens, push);
    offset += part.length + 1;
  }
}

function peel(part: string, start: number, _tokens: Token[], push: (kind: TokenKind, text: string, start: number, end: number, extra?: Partial<Token>) => void): void {
  if (part === '') return;
  if (part === '.' || part === '..' || part === './' || part === '../') {
    push('word', part, start, start + part.length);
    return;
  }
  let body = part;
  const peeled: string[] = [];
  while (body.length > 0 && TRAILING_PUNCT.includes(body.charAt(body.length - 1))) {
    const last = body.charAt(body.length - 1);
    if (balanced(body, last)) break;
    peeled.unshift(last);
    body = body.slice(0, -1);
  }
  if (body !== '') {
    const suffix = caseSuffixOf(body);
    push('word', body, start, start + body.length, suffix ? { suffix } : {});
  }
  peeled.forEach((p, k) => push('punct', p, start + body.length + k, start + body.length + k + 1));
}
