import { describe, expect, it } from 'vitest';
import { cutoffOf } from './timeSpec.js';

const now = Date.parse('2026-03-10T12:00:00.000Z');

describe('cutoffOf', () => {
  it('reads ages and dates', () => {
    expect(cutoffOf('--since', '90d', now)).toBe('2025-12-10T12:00:00.000Z');
    expect(cutoffOf('--since', '2w', now)).toBe('2026-02-24T12:00:00.000Z');
    expect(cutoffOf('--since', '12h', now)).toBe('2026-03-10T00:00:00.000Z');
    expect(cutoffOf('--since', '30M', now)).toBe('2026-03-10T11:30:00.000Z');
    expect(cutoffOf('--since', '0d', now)).toBe('2026-03-10T12:00:00.000Z');
    expect(cutoffOf('--since', '2026-01-31', now)).toBe('2026-01-31T00:00:00.000Z');
    expect(cutoffOf('--since', '2026-01-31T08:30:00+02:00', now)).toBe('2026-01-31T06:30:00.000Z');
  });

  it('refuses anything else as a usage error naming the option', () => {
    for (const bad of ['yesterday', '90', '90y', '2026-13-45', '']) {
      expect(() => cutoffOf('--older-than', bad, now)).toThrow(expect.objectContaining({ code: 'LA_USAGE', message: expect.stringContaining('--older-than') as string }));
    }
  });
});
