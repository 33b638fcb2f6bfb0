import { describe, expect, it } from 'vitest';
import { LocalAgentError } from '../core/errors/index.js';
import { parseSearchQuery, toFts5, toTsQuery } from './searchQuery.js';
import { indexText, searchWords } from './searchText.js';

function both(query: string): [string, string] {
  const parsed = parseSearchQuery(query);
  return [toFts5(parsed), toTsQuery(parsed)];
}

function reason(query: string): string {
  try {
    parseSearchQuery(query);
  } catch (error) {
    if (error instanceof LocalAgentError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error(`"${query}" parsed`);
}

describe('search words', () => {
  it('cuts text into lower-case letters-and-digits words, the same for the index and the query', () => {
    expect(searchWords('LA_TIMEOUT at out/notes.txt: Çok güzel, 3.5×')).toEqual(['la', 'timeout', 'at', 'out', 'notes', 'txt', 'çok', 'güzel', '3', '5']);
    expect(indexText('  Hello,   WORLD!  ')).toBe('hello world');
    expect(indexText('***')).toBe('');
  });
});

describe('parseSearchQuery and its two compilations', () => {
  it('ANDs words, keeps phrases, ORs, leaves out, matches prefixes and fields', () => {
    expect(both('deploy failed')).toEqual(['("deploy" AND "failed")', "'deploy' & 'failed'"]);
    expect(both('"release notes"')).toEqual(['"release notes"', "('release' <-> 'notes')"]);
    expect(both('timeout OR refused')).toEqual(['("timeout" OR "refused")', "('timeout' | 'refused')"]);
    expect(both('deploy -chaos')).toEqual(['"deploy" NOT ("chaos")', "'deploy' & !'chaos'"]);
    expect(both('deploy NOT chaos NOT "dry run"')).toEqual(['"deploy" NOT ("chaos" OR "dry run")', "'deploy' & !'chaos' & !('dry' <-> 'run')"]);
    expect(both('deplo*')).toEqual(['"deplo"*', "'deplo':*"]);
    expect(both('title:deploy error:LA_TIMEOUT')).toEqual(['({titles} : "deploy" AND {errors} : "la timeout")', "'deploy':B & ('la':D <-> 'timeout':D)"]);
    expect(both('command:"release no"*')).toEqual(['{command} : "release no"*', "('release':A <-> 'no':*A)"]);
    expect(both('output:x OR error:y')).toEqual(['({outputs} : "x" OR {errors} : "y")', "('x':C | 'y':D)"]);
  });

  it('splits punctuated words into phrases, ignores parentheses, AND and stray punctuation', () => {
    expect(both('hooks.example.com')).toEqual(['"hooks example com"', "('hooks' <-> 'example' <-> 'com')"]);
    expect(both('(a OR b) AND c')).toEqual(['(("a" OR "b") AND "c")', "('a' | 'b') & 'c'"]);
    expect(both('a - , b')).toEqual(['("a" AND "b")', "'a' & 'b'"]);
    expect(both('Unknown:Field')).toEqual(['"unknown field"', "('unknown' <-> 'field')"]);
    expect(both("it's")).toEqual(['"it s"', "('it' <-> 's')"]);
  });

  it('refuses what cannot run, saying why', () => {
    expect(reason('')).toMatch(/LA_SEARCH_QUERY_INVALID: .*there is no word to look for/);
    expect(reason('***')).toMatch(/there is no word/);
    expect(reason('-chaos')).toMatch(/only leaves words out/);
    expect(reason('"unclosed')).toMatch(/a quote is opened and not closed/);
    expect(reason('OR a')).toMatch(/OR needs a word on each side/);
    expect(reason('a OR')).toMatch(/it ends with OR/);
    expect(reason('a NOT')).toMatch(/it ends with NOT/);
    expect(reason('a OR -b')).toMatch(/OR cannot join a word that is left out/);
    expect(reason('a OR ***')).toMatch(/OR needs a word on each side/);
    expect(reason('x'.repeat(1001))).toMatch(/longer than 1000 characters/);
    expect(reason(Array.from({ length: 33 }, (_, i) => `w${i}`).join(' '))).toMatch(/more than 32 terms/);
    expect(reason(`"${Array.from({ length: 17 }, (_, i) => `w${i}`).join(' ')}"`)).toMatch(/at most 16 words/);
    expect(reason('y'.repeat(101))).toMatch(/at most 100 characters/);
  });
});
