import { describe, expect, it } from 'vitest';
import { createIsoTimestamp } from './isoTimestamp.js';

function field(fragment: string): string {
  return (JSON.parse(`{${fragment.slice(1)}}`) as Record<string, string>)['@timestamp'] ?? '';
}

describe('createIsoTimestamp', () => {
  it('writes an @timestamp fragment equal to Date#toISOString', () => {
    let now = 0;
    const timestamp = createIsoTimestamp(() => now);
    for (const ms of [0, 7, 45, 999, 1000, 1_700_000_000_123, 1_700_000_000_999, 1_700_000_001_005, Date.UTC(2024, 1, 29, 23, 59, 59, 9)]) {
      now = ms;
      expect(field(timestamp())).toBe(new Date(ms).toISOString());
    }
  });

  it('stays right across seconds, going forward and backward (clock adjustments)', () => {
    const times = [1_700_000_000_500, 1_700_000_000_500, 1_700_000_001_001, 1_699_999_999_999, 1_700_000_000_000];
    let i = 0;
    const timestamp = createIsoTimestamp(() => times[i++] ?? 0);
    const out = times.map(() => field(timestamp()));
    expect(out).toEqual(times.map((t) => new Date(t).toISOString()));
  });

  it('defaults to the real clock', () => {
    const before = Date.now();
    const value = Date.parse(field(createIsoTimestamp()()));
    expect(value).toBeGreaterThanOrEqual(before);
  });
});
