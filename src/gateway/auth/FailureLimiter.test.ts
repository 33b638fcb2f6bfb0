import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './FailureLimiter.js';

describe('FailureLimiter', () => {
  it('blocks an address after max failures until its window ends, and only that address', () => {
    let now = 0;
    const limiter = new FailureLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i += 1) {
      expect(limiter.blockedFor('a')).toBe(0);
      limiter.fail('a');
    }
    expect(limiter.blockedFor('a')).toBe(60);
    expect(limiter.blockedFor('b')).toBe(0);
    now = 30_500;
    expect(limiter.blockedFor('a')).toBe(30);
    now = 60_000;
    expect(limiter.blockedFor('a')).toBe(0);
    limiter.fail('a');
    expect(limiter.blockedFor('a')).toBe(0);
  });

  it('stays bounded: past the address limit it starts over', () => {
    const limiter = new FailureLimiter(1, 60_000, () => 0, 2);
    limiter.fail('a');
    limiter.fail('b');
    expect(limiter.blockedFor('a')).toBe(60);
    limiter.fail('c');
    expect(limiter.blockedFor('a')).toBe(0);
    expect(limiter.blockedFor('c')).toBe(60);
  });
});
