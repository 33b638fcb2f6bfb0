import { searchQueryError } from './errors.js';
import { searchWords } from './searchText.js';

/** Where a term must occur: the command, a title (plan or task), a task's output, or an error. */
export type SearchField = 'command' | 'title' | 'output' | 'error';
const FIELDS: readonly SearchField[] = ['command', 'title', 'output', 'error'];

/** One word or phrase: its words in order; `prefix` makes the last one match as a prefix. */
export interface SearchTerm {
  words: string[];
  prefix: boolean;
  field?: SearchField;
}

/** Terms joined by OR; a negated clause leaves out the runs that match it. */
export interface SearchClause {
  terms: SearchTerm[];
  negated: boolean;
}

/** A parsed query: every clause must hold (AND). */
export interface SearchQuery {
  clauses: SearchClause[];
}

const MAX_QUERY_CHARS = 1000;
const MAX_TERMS = 32;
const MAX_WORDS_PER_TERM = 16;
const MAX_WORD_CHARS = 100;

interface Atom {
  text: string;
  phrase: boolean;
  negated: boolean;
  field?: SearchField;
}

type Token = { kind: 'atom'; atom: Atom } | { kind: 'or' } | { kind: 'not' };

function fieldOf(name: string): SearchField | undefined {
  return FIELDS.find((f) => f === name.toLowerCase());
}

/** Splits the query into atoms (words, "phrases", field:terms) and the OR / NOT / AND keywords. */
function lex(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    let negated = false;
    let start = i;
    if (ch === '-' && i + 1 < query.length && !/\s/.test(query[i + 1] as string)) {
      negated = true;
      start = i + 1;
    }
    let field: SearchField | undefined;
    // `field:word` or `field:"a phrase"`.
    const fieldMatch = /^([A-Za-z]+):(?=\S)/.exec(query.slice(start));
    if (fieldMatch && fieldOf(fieldMatch[1] as string)) {
      field = fieldOf(fieldMatch[1] as string);
      start += fieldMatch[0].length;
    }
    if (query[start] === '"') {
      const end = query.indexOf('"', start + 1);
      if (end < 0) throw searchQueryError(query, 'a quote is opened and not closed');
      let stop = end + 1;
      const prefix = query[stop] === '*';
      if (prefix) stop += 1;
      tokens.push({ kind: 'atom', atom: { text: query.slice(start + 1, end) + (prefix ? '*' : ''), phrase: true, negated, ...(field ? { field } : {}) } });
      i = stop;
      continue;
    }
    let end = start;
    while (end < query.length && !/\s/.test(query[end] as string) && query[end] !== '"') end += 1;
    const text = query.slice(start, end);
    i = end;
    if (!negated && !field && text === 'OR') tokens.push({ kind: 'or' });
    else if (!negated && !field && text === 'NOT') tokens.push({ kind: 'not' });
    else if (!negated && !field && text === 'AND') continue;
    else tokens.push({ kind: 'atom', atom: { text, phrase: false, negated, ...(field ? { field } : {}) } });
  }
  return tokens;
}

function termOf(query: string, atom: Atom): SearchTerm | undefined {
  const prefix = atom.text.endsWith('*');
  const words = searchWords(prefix ? atom.text.slice(0, -1) : atom.text);
  if (words.length === 0) return undefined;
  if (words.length > MAX_WORDS_PER_TERM) throw searchQueryError(query, `a phrase may have at most ${MAX_WORDS_PER_TERM} words`);
  if (words.some((w) => w.length > MAX_WORD_CHARS)) throw searchQueryError(query, `a word may have at most ${MAX_WORD_CHARS} characters`);
  return { words, prefix, ...(atom.field ? { field: atom.field } : {}) };
}

/**
 * Reads the one query syntax both databases share (docs/archive.md):
 * `deploy failed` (both words), `"release notes"` (a phrase), `timeout OR refused`, `-chaos` or
 * `NOT chaos` (leave out), `deplo*` (prefix), `title:deploy`, `error:LA_TIMEOUT` (one field:
 * command, title, output, error). Punctuation separates words; parentheses are ignored (OR already
 * binds closer than AND). Throws `LA_SEARCH_QUERY_INVALID` for what cannot be run.
 */
export function parseSearchQuery(query: string): SearchQuery {
  if (query.length > MAX_QUERY_CHARS) throw searchQueryError(query, `it is longer than ${MAX_QUERY_CHARS} characters`);
  const clauses: SearchClause[] = [];
  let joinNext = false;
  let negateNext = false;
  for (const token of lex(query.replace(/[()]/g, ' '))) {
    if (token.kind === 'or') {
      if (clauses.length === 0 || negateNext) throw searchQueryError(query, 'OR needs a word on each side');
      joinNext = true;
      continue;
    }
    if (token.kind === 'not') {
      negateNext = true;
      continue;
    }
    const term = termOf(query, token.atom);
    const negated = token.atom.negated || negateNext;
    negateNext = false;
    if (!term) {
      if (joinNext) throw searchQueryError(query, 'OR needs a word on each side');
      continue;
    }
    const previous = clauses.at(-1);
    if (joinNext && previous) {
      if (negated || previous.negated) throw searchQueryError(query, 'OR cannot join a word that is left out');
      previous.terms.push(term);
      joinNext = false;
      continue;
    }
    clauses.push({ terms: [term], negated });
  }
  if (joinNext || negateNext) throw searchQueryError(query, `it ends with ${joinNext ? 'OR' : 'NOT'}`);
  if (clauses.length === 0) throw searchQueryError(query, 'there is no word to look for');
  if (clauses.every((c) => c.negated)) throw searchQueryError(query, 'it only leaves words out; add at least one word to look for');
  if (clauses.reduce((n, c) => n + c.terms.length, 0) > MAX_TERMS) throw searchQueryError(query, `it has more than ${MAX_TERMS} terms`);
  return { clauses };
}

const FTS5_COLUMN: Readonly<Record<SearchField, string>> = { command: 'command', title: 'titles', output: 'outputs', error: 'errors' };

function fts5Term(term: SearchTerm): string {
  // Words are letters and digits only, so inside double quotes nothing is special.
  const phrase = `"${term.words.join(' ')}"${term.prefix ? '*' : ''}`;
  return term.field ? `{${FTS5_COLUMN[term.field]}} : ${phrase}` : phrase;
}

function fts5Clause(clause: SearchClause): string {
  return clause.terms.length === 1 ? fts5Term(clause.terms[0] as SearchTerm) : `(${clause.terms.map(fts5Term).join(' OR ')})`;
}

/** The query as an SQLite FTS5 MATCH expression over `atlas_fts`. */
export function toFts5(query: SearchQuery): string {
  const positive = query.clauses.filter((c) => !c.negated).map(fts5Clause);
  const negative = query.clauses.filter((c) => c.negated).map(fts5Clause);
  const all = positive.length === 1 ? (positive[0] as string) : `(${positive.join(' AND ')})`;
  return negative.length === 0 ? all : `${all} NOT (${negative.join(' OR ')})`;
}

/** The weight each field's text is indexed with on PostgreSQL (`setweight`). */
export const TSVECTOR_WEIGHT: Readonly<Record<SearchField, 'A' | 'B' | 'C' | 'D'>> = { command: 'A', title: 'B', output: 'C', error: 'D' };

function tsTerm(term: SearchTerm): string {
  const weight = term.field ? TSVECTOR_WEIGHT[term.field] : '';
  const lexemes = term.words.map((word, i) => {
    const last = i === term.words.length - 1;
    const suffix = (last && term.prefix ? '*' : '') + weight;
    return `'${word}'${suffix ? `:${suffix}` : ''}`;
  });
  return lexemes.length === 1 ? (lexemes[0] as string) : `(${lexemes.join(' <-> ')})`;
}

function tsClause(clause: SearchClause): string {
  return clause.terms.length === 1 ? tsTerm(clause.terms[0] as SearchTerm) : `(${clause.terms.map(tsTerm).join(' | ')})`;
}

/** The query as a PostgreSQL `to_tsquery('simple', …)` text. */
export function toTsQuery(query: SearchQuery): string {
  return query.clauses.map((c) => (c.negated ? `!${tsClause(c)}` : tsClause(c))).join(' & ');
}
