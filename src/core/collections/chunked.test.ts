import { describe, expect, it } from 'vitest';
import { compareText } from '../text/index.js';
import { chunked } from './index.js';

describe('chunked', () => {
  it('slices in order, the last slice shorter, nothing for nothing', () => {
    expect(chunked([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunked([1, 2], 5)).toEqual([[1, 2]]);
    expect(chunked([], 3)).toEqual([]);
    expect(() => chunked([1], 0)).toThrow(RangeError);
  });
});

describe('compareText', () => {
  it('orders by code units, whatever the locale', () => {
    expect(['b', 'B', 'a', 'ä', 'a'].sort(compareText)).toEqual(['B', 'a', 'a', 'b', 'ä']);
  });
});
