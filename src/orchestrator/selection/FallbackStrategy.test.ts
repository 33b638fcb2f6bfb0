import { describe, expect, it } from 'vitest';
import { FallbackStrategy } from './FallbackStrategy.js';
import { spec } from './test-support/FakeModelCaller.js';

describe('FallbackStrategy', () => {
  it('keeps the given order (it never reads statistics)', () => {
    expect(new FallbackStrategy().order([spec('a'), spec('b')]).map((s) => s.id)).toEqual(['a', 'b']);
    expect(new FallbackStrategy().order([spec('b'), spec('a')]).map((s) => s.id)).toEqual(['b', 'a']);
  });
});
