import { sql, type Kysely } from 'kysely';
import type { BulkInsert, BulkWriter, Database } from '../store/index.js';
import { GROUPINGS, type GroupFigures, type StatsDelta } from './statsDelta.js';
import { chunked } from '../core/collections/index.js';
import { compareText } from '../core/text/index.js';

const STATS: BulkInsert = {
  table: 'atlas_stats',
  columns: ['grouping', 'key', 'n', 'ok', 'timed', 'tokens_in', 'tokens_out', 'cost_usd', 'ratings', 'rating_sum'],
  types: ['text', 'text', 'int8', 'int8', 'int8', 'int8', 'int8', 'float8', 'int8', 'int8'],
  conflict: `on conflict (grouping, key) do update set n = atlas_stats.n + excluded.n, ok = atlas_stats.ok + excluded.ok, timed = atlas_stats.timed + excluded.timed,
    tokens_in = atlas_stats.tokens_in + excluded.tokens_in, tokens_out = atlas_stats.tokens_out + excluded.tokens_out, cost_usd = atlas_stats.cost_usd + excluded.cost_usd,
    ratings = atlas_stats.ratings + excluded.ratings, rating_sum = atlas_stats.rating_sum + excluded.rating_sum`,
  returning: ['id', 'grouping', 'key'],
};

const LATENCY: BulkInsert = {
  table: 'atlas_stats_latency',
  columns: ['stat_id', 'level', 'value', 'n'],
  types: ['int8', 'int4', 'int8', 'int8'],
  conflict: 'on conflict (stat_id, level, value) do update set n = atlas_stats_latency.n + excluded.n',
};

const TITLES: BulkInsert = {
  table: 'atlas_stats_titles',
  columns: ['plan_hash', 'title', 'runs'],
  types: ['text', 'text', 'int8'],
  conflict: 'on conflict (plan_hash, title) do update set runs = atlas_stats_titles.runs + excluded.runs',
};

const DELETE_CHUNK = 200;

type Num = number | string;

/**
 * Writes `delta` into the statistics tables, inside the caller's `bulkWrite` transaction (`db` only
 * compiles queries for the writer). Rows go in key order, so two PostgreSQL transactions updating
 * the same rows lock them in the same order and cannot deadlock. When something was taken away,
 * rows that reach zero are removed: a group or a latency that no stored row has any more is not
 * shown.
 */
export async function writeStatsDelta(writer: BulkWriter, db: Kysely<Database>, delta: StatsDelta): Promise<void> {
  const stats: unknown[][] = [];
  let removes = false;
  // The grouping names sorted, then the keys: the order of the table's unique key (grouping, key).
  for (const grouping of [...GROUPINGS].sort(compareText)) {
    for (const key of [...delta.groups[grouping].keys()].sort(compareText)) {
      const g = delta.groups[grouping].get(key) as GroupFigures;
      stats.push([grouping, key, g.n, g.ok, g.timed, g.tokens_in, g.tokens_out, g.cost_usd, g.ratings, g.rating_sum]);
      if (g.n < 0 || g.ratings < 0) removes = true;
    }
  }
  // Every group touched, even by a rating alone, so its id is known for its latencies.
  const ids = new Map<string, number>();
  for (const row of await writer.insert<{ id: Num; grouping: string; key: string }>(STATS, stats)) ids.set(`${row.grouping}\u0000${row.key}`, Number(row.id));

  const latency: [number, number, number, number][] = [];
  for (const grouping of GROUPINGS) {
    for (const [key, g] of delta.groups[grouping]) {
      const id = ids.get(`${grouping}\u0000${key}`);
      if (id === undefined) continue;
      for (const [level, counts] of [
        [0, g.values],
        [1, g.buckets],
      ] as const) {
        for (const [value, n] of counts) {
          if (n === 0) continue;
          latency.push([id, level, value, n]);
          if (n < 0) removes = true;
        }
      }
    }
  }
  latency.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const titles: [string, string, number][] = [];
  for (const hash of [...delta.titles.keys()].sort(compareText)) {
    const byTitle = delta.titles.get(hash) as Map<string, number>;
    for (const title of [...byTitle.keys()].sort(compareText)) {
      const runs = byTitle.get(title) ?? 0;
      if (runs === 0) continue;
      titles.push([hash, title, runs]);
      if (runs < 0) removes = true;
    }
  }

  if (!removes) {
    await writer.insert(LATENCY, latency);
    await writer.insert(TITLES, titles);
    return;
  }
  // The latency table holds a row per distinct latency: only the rows this delta brought to zero
  // are looked for. The stats and titles tables hold a row per group or plan: scanning them is cheap.
  const after = await writer.insert<{ stat_id: Num; level: Num; value: Num; n: Num }>({ ...LATENCY, returning: ['stat_id', 'level', 'value', 'n'] }, latency);
  const zeros = after.filter((row) => Number(row.n) === 0);
  for (const part of chunked(zeros, DELETE_CHUNK)) {
    const rows = part.map((z) => sql`(stat_id = ${Number(z.stat_id)} and level = ${Number(z.level)} and value = ${Number(z.value)})`);
    await writer.execute(sql`delete from atlas_stats_latency where ${sql.join(rows, sql` or `)}`.compile(db));
  }
  await writer.execute(sql`delete from atlas_stats where n = 0 and ratings = 0`.compile(db));
  await writer.insert(TITLES, titles);
  await writer.execute(sql`delete from atlas_stats_titles where runs = 0`.compile(db));
}
