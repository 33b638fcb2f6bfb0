import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../store/index.js';
import { num, numOrNull } from './rows.js';

/** How `archive stats` groups: by the model that answered, the task kind, the plan, or the day the run finished (UTC). */
export type StatsGrouping = 'model' | 'kind' | 'plan' | 'day';
export const STATS_GROUPINGS: readonly StatsGrouping[] = ['model', 'kind', 'plan', 'day'];

/** One group's figures, all computed from stored rows. */
export interface StatsRow {
  /** The model id, task kind, plan hash or day (`YYYY-MM-DD`). */
  group: string;
  /** For plans: the latest title among the runs. */
  label?: string;
  /** Tasks in the group (runs, when grouped by plan). */
  count: number;
  successes: number;
  /** successes ÷ count. */
  success_rate: number;
  /** Nearest-rank percentiles of the latency of successful tasks (runs, by plan); null when none succeeded. */
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  /** Mean of the ratings that apply (a run's rating applies to each of its tasks); null without any. */
  rating_mean: number | null;
  ratings: number;
}

export interface StatsReport {
  by: StatsGrouping;
  /** `tasks`, or `runs` when grouped by plan. */
  unit: 'tasks' | 'runs';
  since?: string;
  rows: StatsRow[];
}

type Value = number | string | null;

interface Aggregate {
  key: string;
  label?: string | null;
  n: Value;
  ok: Value;
  /** Successful rows with a latency: how many values the percentiles rank. */
  timed?: Value;
  tokens_in: Value;
  tokens_out: Value;
  cost: Value;
}

interface Percentiles {
  key: string;
  p50: Value;
  p95: Value;
}

interface Ratings {
  key: string;
  mean: Value;
  n: Value;
}

/** The nearest-rank position (1-based) of percentile `p` among `n` sorted values: ⌈p/100 · n⌉. */
function rank(p: number, n: number): number {
  return Math.max(1, Math.ceil((p / 100) * n));
}

/**
 * p50 and p95 of `value` per `key` over `source` (a subquery with those two columns) in one query:
 * window functions number each group's values in order, and the values at ranks ⌈p/100 · n⌉ are
 * kept — always observed values. SQLite and PostgreSQL both have these functions; the sort is the
 * cost, so statistics by model without `--since` avoid it (`modelPercentiles`).
 */
function percentilesSql(source: RawBuilder<unknown>): RawBuilder<Percentiles> {
  return sql<Percentiles>`select key,
      max(case when rn = (50 * n + 99) / 100 then value end) as p50,
      max(case when rn = (95 * n + 99) / 100 then value end) as p95
    from (select key, value, row_number() over (partition by key order by value) as rn, count(*) over (partition by key) as n from (${source}) s) ranked
    group by key`;
}

/**
 * The same per model from the covering index on (model, success, latency_ms, …), which holds each
 * model's successful latencies in order: the value at a rank is read by stepping through the index
 * (`offset`), from the low end for p50 and from the high end for p95, so no sort and little reading.
 */
async function modelPercentiles(db: Kysely<Database>, timed: ReadonlyMap<string, number>): Promise<Percentiles[]> {
  const at = async (key: string, position: number, total: number): Promise<Value> => {
    const fromTop = position > total / 2;
    const { rows } = await sql<{ value: Value }>`select t.latency_ms as value from atlas_tasks t
      where t.model = ${key} and t.success = 1 and t.latency_ms is not null
      order by t.latency_ms ${fromTop ? sql`desc` : sql`asc`} limit 1 offset ${fromTop ? total - position : position - 1}`.execute(db);
    return rows[0]?.value ?? null;
  };
  const out: Percentiles[] = [];
  for (const [key, total] of timed) {
    if (total === 0) continue;
    out.push({ key, p50: await at(key, rank(50, total), total), p95: await at(key, rank(95, total), total) });
  }
  return out;
}

/** Per task group: aggregates, latency percentiles of successful tasks, ratings. */
async function taskStats(db: Kysely<Database>, by: Exclude<StatsGrouping, 'plan'>, since: string | undefined): Promise<StatsRow[]> {
  const key = by === 'model' ? sql`t.model` : by === 'kind' ? sql`t.kind` : sql`substr(t.finished_at, 1, 10)`;
  // With --since, the runs' time index picks the rows; without, the task rows are read directly.
  const from = since === undefined ? sql`atlas_tasks t` : sql`atlas_runs r join atlas_tasks t on t.run_id = r.run_id`;
  const conditions: RawBuilder<unknown>[] = [];
  if (by === 'model') conditions.push(sql`t.model is not null`);
  if (since !== undefined) conditions.push(sql`r.finished_at >= ${since}`);
  const where = conditions.length === 0 ? sql`` : sql` where ${sql.join(conditions, sql` and `)}`;
  const and = conditions.length === 0 ? sql` where ` : sql` and `;
  const aggregates = await sql<Aggregate>`select ${key} as key, count(*) as n, sum(t.success) as ok,
        sum(case when t.success = 1 and t.latency_ms is not null then 1 else 0 end) as timed,
        sum(t.tokens_in) as tokens_in, sum(t.tokens_out) as tokens_out, sum(t.cost_usd) as cost
      from ${from}${where} group by ${key}`.execute(db);
  const percentiles =
    since === undefined && by === 'model'
      ? await modelPercentiles(db, new Map(aggregates.rows.map((row) => [row.key, num(row.timed ?? 0)])))
      : (await percentilesSql(sql`select ${key} as key, t.latency_ms as value from ${from}${where}${and}t.success = 1 and t.latency_ms is not null`).execute(db)).rows;
  // A run's rating counts once for each group it touches; a task's rating, for its task's group.
  const ratings = await sql<Ratings>`select key, avg(rating * 1.0) as mean, count(*) as n from (
      select distinct f.id, ${key} as key, f.rating from atlas_feedback f
      join atlas_tasks t on t.run_id = f.run_id and (f.task_id is null or f.task_id = t.task_id)
      ${since === undefined ? sql`` : sql`join atlas_runs r on r.run_id = t.run_id`}${where}
    ) rated group by key`.execute(db);
  return combine(aggregates.rows, percentiles, ratings.rows);
}

/** Per plan: runs, runs that succeeded, run duration percentiles of successful runs, ratings of any part of the run. */
async function planStats(db: Kysely<Database>, since: string | undefined): Promise<StatsRow[]> {
  const where = since === undefined ? sql`` : sql` where r.finished_at >= ${since}`;
  const and = since === undefined ? sql` where ` : sql` and `;
  const aggregates = await sql<Aggregate>`select r.plan_hash as key, max(r.title) as label, count(*) as n, sum(case when r.status = 'success' then 1 else 0 end) as ok,
        sum(r.tokens_in) as tokens_in, sum(r.tokens_out) as tokens_out, sum(r.cost_usd) as cost
      from atlas_runs r${where} group by r.plan_hash`.execute(db);
  const percentiles = await percentilesSql(sql`select r.plan_hash as key, r.duration_ms as value from atlas_runs r${where}${and}r.status = 'success'`).execute(db);
  const ratings = await sql<Ratings>`select r.plan_hash as key, avg(f.rating * 1.0) as mean, count(*) as n from atlas_feedback f join atlas_runs r on r.run_id = f.run_id${where} group by r.plan_hash`.execute(db);
  return combine(aggregates.rows, percentiles.rows, ratings.rows);
}

function combine(aggregates: readonly Aggregate[], percentiles: readonly Percentiles[], ratings: readonly Ratings[]): StatsRow[] {
  const p = new Map(percentiles.map((row) => [row.key, row]));
  const r = new Map(ratings.map((row) => [row.key, row]));
  return aggregates
    .map((row) => {
      const count = num(row.n);
      const successes = num(row.ok ?? 0);
      const rated = r.get(row.key);
      return {
        group: row.key,
        ...(row.label !== undefined && row.label !== null ? { label: row.label } : {}),
        count,
        successes,
        success_rate: count === 0 ? 0 : successes / count,
        latency_p50_ms: numOrNull(p.get(row.key)?.p50),
        latency_p95_ms: numOrNull(p.get(row.key)?.p95),
        tokens_in: num(row.tokens_in ?? 0),
        tokens_out: num(row.tokens_out ?? 0),
        cost_usd: num(row.cost ?? 0),
        rating_mean: numOrNull(rated?.mean),
        ratings: rated ? num(rated.n) : 0,
      };
    })
    .sort((a, b) => b.count - a.count || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

/** `archive stats`: figures per group, most frequent first (days in order). */
export async function archiveStats(db: Kysely<Database>, by: StatsGrouping, since?: string): Promise<StatsReport> {
  const rows = by === 'plan' ? await planStats(db, since) : await taskStats(db, by, since);
  // Days read best in calendar order; the other groups, most frequent first.
  if (by === 'day') rows.sort((a, b) => (a.group < b.group ? -1 : 1));
  return { by, unit: by === 'plan' ? 'runs' : 'tasks', ...(since !== undefined ? { since } : {}), rows };
}
