import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean } from './index.js';

describe('didYouMean', () => {
  it('suggests the nearest candidate for a typo', () => {
    expect(closestMatch('confg', ['config', 'models', 'runs'])).toBe('config');
    expect(closestMatch('LEVLE', ['level', 'format'])).toBe('level');
    expect(didYouMean('formt', ['level', 'format'])).toBe(' Did you mean "format"?');
  });

  it('stays quiet when nothing is close', () => {
    expect(closestMatch('banana', ['config', 'models'])).toBeUndefined();
    expect(didYouMean('x', [])).toBe('');
  });
});
