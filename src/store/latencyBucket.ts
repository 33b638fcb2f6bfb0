/**
 * The coarse latency buckets of the archive's statistics (`atlas_stats_latency`, level 1; schema
 * version 5). Exact percentiles read a group's bucket counts to find the bucket holding a rank, then
 * that bucket's exact values (level 0), so a percentile reads a few hundred rows, not every value.
 * Buckets are 64 ms wide up to 4,096 ms, then 32 per power of two (at most 1/32 of the value wide):
 * few buckets per group whatever the spread, and few values in each.
 *
 * Part of the stored format: migration 5 fills level 1 with `latencyBucketSql`, the archive keeps
 * it up to date with `latencyBucket`. Changing either needs a migration that rebuilds level 1.
 */

const BASE = 64;
const SUB = 64;

/** The bucket of a latency (a whole number of milliseconds, ≥ 0). Monotonic: a larger value never has a smaller bucket. */
export function latencyBucket(value: number): number {
  let m = Math.floor(value / BASE);
  if (m < SUB) return m;
  let shift = 0;
  while (m >= SUB) {
    m = Math.floor(m / 2);
    shift += 1;
  }
  return SUB * shift + m;
}

/** The values a bucket holds: `[from, to)`. */
export function latencyBucketRange(bucket: number): { from: number; to: number } {
  if (bucket < SUB) return { from: bucket * BASE, to: (bucket + 1) * BASE };
  const shift = Math.floor(bucket / SUB);
  const m = bucket % SUB;
  const width = BASE * 2 ** shift;
  return { from: m * width, to: (m + 1) * width };
}

/** Highest shift a latency below 2^53 (every whole number a record can hold exactly) needs. */
const MAX_SHIFT = 41;

/**
 * `latencyBucket` as a SQL expression over `column` (an integer column; `/` on integers truncates
 * in SQLite and PostgreSQL alike). `column` is a constant of the calling code, never input.
 */
export function latencyBucketSql(column: string): string {
  const cases = [`when ${column} < ${BASE * SUB} then ${column} / ${BASE}`];
  for (let shift = 1; shift <= MAX_SHIFT; shift += 1) {
    cases.push(`when ${column} < ${BASE * SUB * 2 ** shift} then ${SUB * shift} + ${column} / ${BASE * 2 ** shift}`);
  }
  return `case ${cases.join(' ')} else ${SUB * (MAX_SHIFT + 1)} + ${column} / ${BASE * 2 ** (MAX_SHIFT + 1)} end`;
}
