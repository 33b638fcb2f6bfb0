import { describe, expect, it } from 'vitest';
import { ExplicitStrategy } from './ExplicitStrategy.js';
import { spec } from './test-support/FakeModelCaller.js';

describe('ExplicitStrategy', () => {
  it('returns the one model', () => {
    expect(new ExplicitStrategy().order([spec('a')]).map((s) => s.id)).toEqual(['a']);
  });

  it('refuses more than one model', () => {
    expect(() => new ExplicitStrategy().order([spec('a'), spec('b')])).toThrow(expect.objectContaining({ code: 'LA_INPUT_INVALID' }));
  });
});
