import { describe, expect, it } from 'vitest';
import { parseLifetime } from './parseLifetime.js';

describe('parseLifetime', () => {
  it('reads minutes, hours, days, weeks and years', () => {
    expect(parseLifetime('90m')).toBe(90 * 60_000);
    expect(parseLifetime('12h')).toBe(12 * 3_600_000);
    expect(parseLifetime(' 30D ')).toBe(30 * 86_400_000);
    expect(parseLifetime('8w')).toBe(8 * 604_800_000);
    expect(parseLifetime('1y')).toBe(31_536_000_000);
  });

  it('refuses anything else, and lifetimes over ten years', () => {
    for (const text of ['', '30', 'd', '0d', '-1d', '1.5h', '30 days', '11y', '1e3d']) {
      expect(() => parseLifetime(text), text).toThrow(expect.objectContaining({ code: 'LA_INPUT_INVALID' }) as Error);
    }
  });
});
