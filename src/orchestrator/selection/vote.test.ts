import { describe, expect, it } from 'vitest';
import { majorityVote, normaliseAnswer } from './vote.js';

const answer = (model: string, text: string, json?: unknown) => ({ model, result: json === undefined ? { text } : { text, json } });

describe('normaliseAnswer', () => {
  it('trims, lower-cases, collapses spaces and strips trailing punctuation', () => {
    expect(normaliseAnswer({ text: '  The Answer is   PARIS!?. ' })).toBe('the answer is paris');
    expect(normaliseAnswer({ text: 'Yes…' })).toBe('yes');
    expect(normaliseAnswer({ text: '3.14' })).toBe('3.14');
    expect(normaliseAnswer({ text: '...' })).toBe('');
  });

  it('compares parsed JSON canonically', () => {
    expect(normaliseAnswer({ text: '{ "b": 1, "a": 2 }', json: { b: 1, a: 2 } })).toBe('{"a":2,"b":1}');
  });

  it('falls back to the text when the parsed value is not plain JSON', () => {
    expect(normaliseAnswer({ text: 'Odd.', json: Number.NaN })).toBe('odd');
  });

  it('stays fast on long runs of punctuation', () => {
    const text = `${'.'.repeat(50_000)}x`;
    expect(normaliseAnswer({ text })).toBe(text);
  });
});

describe('majorityVote', () => {
  it('picks the answer most models gave, returning its first model', () => {
    const outcome = majorityVote([answer('a', 'London'), answer('b', 'Paris.'), answer('c', ' paris')]);
    expect(outcome.index).toBe(1);
    expect(outcome.tally).toEqual([
      { answer: 'paris', models: ['b', 'c'] },
      { answer: 'london', models: ['a'] },
    ]);
  });

  it('breaks ties by model order', () => {
    expect(majorityVote([answer('a', 'x'), answer('b', 'y')]).index).toBe(0);
    expect(majorityVote([answer('a', 'x'), answer('b', 'y'), answer('c', 'y'), answer('d', 'x')]).index).toBe(0);
  });

  it('votes JSON answers by value', () => {
    const outcome = majorityVote([answer('a', '{"n":1}', { n: 1 }), answer('b', '{"n": 2}', { n: 2 }), answer('c', '{ "n":2 }', { n: 2 })]);
    expect(outcome.index).toBe(1);
  });

  it('returns -1 for no answers', () => {
    expect(majorityVote([])).toEqual({ index: -1, tally: [] });
  });
});
