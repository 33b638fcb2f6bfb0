import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeDialects } from '../../test/support/postgres.js';
import { latencyBucket, latencyBucketRange, latencyBucketSql } from './index.js';

const VALUES = [0, 1, 63, 64, 65, 4095, 4096, 4097, 8191, 8192, 12_345, 60_000, 65_535, 65_536, 1_000_000, 2 ** 31, 2 ** 40 + 3, 2 ** 52 + 1, Number.MAX_SAFE_INTEGER];

it('puts every latency in a bucket whose range holds it, in order, and narrow', () => {
  let previous = -1;
  for (let value = 0; value < 300_000; value += 7) {
    const bucket = latencyBucket(value);
    expect(bucket).toBeGreaterThanOrEqual(previous);
    previous = bucket;
  }
  for (const value of VALUES) {
    const { from, to } = latencyBucketRange(latencyBucket(value));
    expect(value >= from && value < to, String(value)).toBe(true);
    // At most 64 ms wide, or 1/32 of the values it holds: a percentile reads few exact values.
    expect(to - from).toBeLessThanOrEqual(Math.max(64, from / 32));
  }
  // A group's latencies up to a minute fall in at most 64 + 4 × 32 buckets.
  const buckets = new Set<number>();
  for (let value = 0; value <= 60_000; value += 1) buckets.add(latencyBucket(value));
  expect(buckets.size).toBeLessThanOrEqual(64 + 4 * 32);
});

describeDialects('latencyBucketSql', ({ openStore }) => {
  it('gives the same bucket as latencyBucket, in the database', async () => {
    const store = await openStore();
    for (const value of VALUES) {
      const { rows } = await sql<{ b: number | string }>`select ${sql.raw(latencyBucketSql(`cast(${value} as bigint)`))} as b`.execute(store.db);
      expect(Number(rows[0]?.b), String(value)).toBe(latencyBucket(value));
    }
  });
});
