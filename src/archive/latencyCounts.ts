import { sql, type Kysely } from 'kysely';
import { latencyBucketRange, type Database, type StatsGroupingName } from '../store/index.js';
import { num } from './rows.js';
import type { GroupFigures } from './statsDelta.js';

/** One bucket of one group whose exact values are wanted. */
export interface BucketRef {
  key: string;
  bucket: number;
}

/**
 * How many successful tasks (runs, by plan) of each group took each latency, read in two steps:
 * every group's bucket counts (`latencyBucket`), then the exact values of a few buckets only.
 */
export interface LatencyCounts {
  /** Group → bucket → how many. */
  buckets(): Promise<Map<string, Map<number, number>>>;
  /** For each bucket asked, in order: value → how many. */
  values(asked: readonly BucketRef[]): Promise<Map<number, number>[]>;
}

/** Buckets per statement when reading exact values: each is one range of the table's key. */
const VALUE_READS = 100;

/**
 * The stored counts of a grouping (`atlas_stats_latency`); only groups after `afterKey` when given.
 * `values` asks for groups `buckets` gave.
 */
export function storedLatency(db: Kysely<Database>, grouping: StatsGroupingName, afterKey?: string): LatencyCounts {
  const ids = new Map<string, number>();
  return {
    async buckets() {
      let groups = db.selectFrom('atlas_stats').select(['id', 'key']).where('grouping', '=', grouping);
      if (afterKey !== undefined) groups = groups.where('key', '>', afterKey);
      const keys = new Map<number, string>();
      for (const row of await groups.execute()) {
        keys.set(num(row.id), row.key);
        ids.set(row.key, num(row.id));
      }
      // Ids, not keys, per row: thousands of rows, and a string made for each costs.
      const rows = await db
        .selectFrom('atlas_stats_latency')
        .select(['stat_id', 'value', 'n'])
        .where('level', '=', 1)
        .where('stat_id', 'in', (eb) => {
          let inner = eb.selectFrom('atlas_stats').select('id').where('grouping', '=', grouping);
          if (afterKey !== undefined) inner = inner.where('key', '>', afterKey);
          return inner;
        })
        .execute();
      const out = new Map<string, Map<number, number>>();
      for (const row of rows) {
        const key = keys.get(num(row.stat_id));
        if (key === undefined) continue;
        let buckets = out.get(key);
        if (buckets === undefined) {
          buckets = new Map();
          out.set(key, buckets);
        }
        buckets.set(num(row.value), num(row.n));
      }
      return out;
    },
    async values(asked) {
      const out = asked.map(() => new Map<number, number>());
      for (let i = 0; i < asked.length; i += VALUE_READS) {
        // One range read of the primary key per bucket asked, from a list joined in: one statement,
        // one plan. (Casts: PostgreSQL would take the list's parameters for text.)
        const ranges = asked.slice(i, i + VALUE_READS).map(({ key, bucket }, j) => {
          const { from, to } = latencyBucketRange(bucket);
          return sql`(${sql.lit(i + j)}, cast(${ids.get(key) ?? -1} as bigint), cast(${from} as bigint), cast(${to} as bigint))`;
        });
        const { rows } = await sql<{ asked: number | string; value: number | string; n: number | string }>`with asked (asked, stat_id, low, high) as (values ${sql.join(ranges)})
          select a.asked, l.value, l.n from asked a join atlas_stats_latency l on l.stat_id = a.stat_id and l.level = 0 and l.value >= a.low and l.value < a.high`.execute(db);
        for (const row of rows) out[num(row.asked)]?.set(num(row.value), num(row.n));
      }
      return out;
    },
  };
}

/** Counts held in memory (`StatsDelta` groups). */
export function memoryLatency(groups: ReadonlyMap<string, GroupFigures>): LatencyCounts {
  return {
    buckets() {
      const out = new Map<string, Map<number, number>>();
      for (const [key, figures] of groups) out.set(key, figures.buckets);
      return Promise.resolve(out);
    },
    values(asked) {
      return Promise.resolve(
        asked.map(({ key, bucket }) => {
          const { from, to } = latencyBucketRange(bucket);
          const values = new Map<number, number>();
          for (const [value, n] of groups.get(key)?.values ?? []) if (value >= from && value < to) values.set(value, n);
          return values;
        }),
      );
    },
  };
}

function subtract(whole: Map<number, number>, part: ReadonlyMap<number, number> | undefined): Map<number, number> {
  if (part === undefined) return whole;
  const out = new Map(whole);
  for (const [k, n] of part) out.set(k, (out.get(k) ?? 0) - n);
  return out;
}

/** `whole` without `part` (the counts of a subset of the same rows). */
export function latencyDifference(whole: LatencyCounts, part: LatencyCounts): LatencyCounts {
  return {
    async buckets() {
      const [a, b] = await Promise.all([whole.buckets(), part.buckets()]);
      const out = new Map<string, Map<number, number>>();
      for (const [key, buckets] of a) out.set(key, subtract(buckets, b.get(key)));
      return out;
    },
    async values(asked) {
      const [a, b] = await Promise.all([whole.values(asked), part.values(asked)]);
      return a.map((values, i) => subtract(values, b[i]));
    },
  };
}

/** The nearest-rank position (1-based) of percentile `p` among `n` sorted values: ⌈p/100 · n⌉. */
export function nearestRank(p: number, n: number): number {
  return Math.max(1, Math.ceil((p * n) / 100));
}

function ascending(counts: ReadonlyMap<number, number>): [number, number][] {
  return [...counts].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
}

/**
 * Nearest-rank percentiles (`percents`) per group, exact: the value at rank ⌈p/100 · n⌉ among the
 * group's `totals.get(group)` values, found through the bucket counts and then the exact values of
 * the one bucket holding that rank. Null where a group has no values, or the counts do not add up.
 */
export async function percentiles(source: LatencyCounts, totals: ReadonlyMap<string, number>, percents: readonly number[]): Promise<Map<string, (number | null)[]>> {
  const buckets = await source.buckets();
  const wanted: { key: string; percent: number; bucket: number; rank: number }[] = [];
  for (const [key, total] of totals) {
    if (total <= 0) continue;
    const sorted = ascending(buckets.get(key) ?? new Map<number, number>());
    percents.forEach((percent, i) => {
      let rank = nearestRank(percent, total);
      for (const [bucket, n] of sorted) {
        if (rank <= n) {
          wanted.push({ key, percent: i, bucket, rank });
          return;
        }
        rank -= n;
      }
    });
  }
  const asked: BucketRef[] = [];
  const index = new Map<string, number>();
  for (const { key, bucket } of wanted) {
    const id = `${key}\u0000${bucket}`;
    if (!index.has(id)) {
      index.set(id, asked.length);
      asked.push({ key, bucket });
    }
  }
  const values = await source.values(asked);
  const out = new Map<string, (number | null)[]>();
  for (const key of totals.keys()) out.set(key, percents.map(() => null));
  for (const { key, percent, bucket, rank } of wanted) {
    let left = rank;
    for (const [value, n] of ascending(values[index.get(`${key}\u0000${bucket}`) ?? -1] ?? new Map<number, number>())) {
      if (left <= n) {
        (out.get(key) as (number | null)[])[percent] = value;
        break;
      }
      left -= n;
    }
  }
  return out;
}
