import { describe, expect, it } from 'vitest';
import { CheapestStrategy } from './CheapestStrategy.js';
import { blendedPrice } from './scoring.js';
import { spec } from './test-support/FakeModelCaller.js';

describe('CheapestStrategy', () => {
  it('orders by the 3:1 input:output blended price', () => {
    // in-heavy: (3*10 + 1)/4 = 7.75; out-heavy: (3*1 + 20)/4 = 5.75; local: 0
    const models = [spec('in-heavy', { price: { input: 10, output: 1 } }), spec('out-heavy', { price: { input: 1, output: 20 } }), spec('local')];
    expect(new CheapestStrategy().order(models).map((s) => s.id)).toEqual(['local', 'out-heavy', 'in-heavy']);
    expect(blendedPrice({ input: 10, output: 1 })).toBe(7.75);
  });

  it('keeps the given order for equal prices', () => {
    expect(new CheapestStrategy().order([spec('b'), spec('a')]).map((s) => s.id)).toEqual(['b', 'a']);
  });
});
