import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, StoreDialect } from '../store/index.js';
import { latencyDifference, memoryLatency, percentiles, storedLatency, type LatencyCounts } from './latencyCounts.js';
import { num } from './rows.js';
import { GroupFigures, StatsDelta } from './statsDelta.js';
import { compareText } from '../core/text/index.js';

/** How `archive stats` groups: by the model that answered, the task kind, the plan, or the day the run finished (UTC). */
export type StatsGrouping = 'model' | 'kind' | 'plan' | 'day';
export const STATS_GROUPINGS: readonly StatsGrouping[] = ['model', 'kind', 'plan', 'day'];

/** One group's figures, all computed from stored rows. */
export interface StatsRow {
  /** The model id, task kind, plan hash or day (`YYYY-MM-DD`). */
  group: string;
  /** For plans: the title of its runs (the greatest, should they differ). */
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

/** Which runs a computation over stored rows covers, by the time they finished. */
interface RunRange {
  /** At or after. */
  since?: string;
  /** Before. */
  before?: string;
  /** Only this day (`YYYY-MM-DD`, the first 10 characters of the finish time). */
  day?: string;
}

function rangeWhere(range: RunRange): RawBuilder<unknown> {
  const conditions: RawBuilder<unknown>[] = [];
  if (range.since !== undefined) conditions.push(sql`r.finished_at >= ${range.since}`);
  if (range.before !== undefined) conditions.push(sql`r.finished_at < ${range.before}`);
  if (range.day !== undefined) {
    conditions.push(sql`substr(r.finished_at, 1, 10) = ${range.day}`);
    // An upper bound too, so the index on the finish time stops at the end of the day.
    const next = Date.parse(`${range.day}T00:00:00.000Z`) + 86_400_000;
    if (Number.isFinite(next)) conditions.push(sql`r.finished_at < ${new Date(next).toISOString().slice(0, 10)}`);
  }
  return conditions.length === 0 ? sql`1 = 1` : sql.join(conditions, sql` and `);
}

type Value = number | string | null;

/**
 * Statistics of the runs in `range`, computed from the stored rows (tasks, runs, feedback): what
 * `--since` needs beyond what is kept up to date. Rates are attributed as in the kept statistics.
 */
async function rowStats(db: Kysely<Database>, by: StatsGrouping, range: RunRange): Promise<StatsDelta> {
  const delta = new StatsDelta();
  const where = rangeWhere(range);
  // Grouped by the database first: one row per distinct latency of a group, not one per task.
  if (by === 'plan') {
    const runs = await sql<{ key: string; title: string; ok: Value; value: Value; n: Value; tokens_in: Value; tokens_out: Value; cost_usd: Value }>`
      select r.plan_hash as key, r.title, case when r.status = 'success' then 1 else 0 end as ok, r.duration_ms as value, count(*) as n,
        sum(r.tokens_in) as tokens_in, sum(r.tokens_out) as tokens_out, sum(r.cost_usd) as cost_usd
      from atlas_runs r where ${where} group by r.plan_hash, r.title, 3, r.duration_ms`.execute(db);
    for (const row of runs.rows) {
      const n = num(row.n);
      const g = delta.group('plan', row.key);
      g.n += n;
      g.tokens_in += num(row.tokens_in);
      g.tokens_out += num(row.tokens_out);
      g.cost_usd += num(row.cost_usd);
      if (num(row.ok) === 1) {
        g.ok += n;
        g.timed += n;
        g.latency(num(row.value), n);
      }
      let titles = delta.titles.get(row.key);
      if (titles === undefined) {
        titles = new Map();
        delta.titles.set(row.key, titles);
      }
      titles.set(row.title, (titles.get(row.title) ?? 0) + n);
    }
    const rated = await sql<{ key: string; rating: Value }>`select r.plan_hash as key, f.rating from atlas_feedback f join atlas_runs r on r.run_id = f.run_id where ${where}`.execute(db);
    for (const row of rated.rows) delta.rate('plan', row.key, num(row.rating), 1);
    return delta;
  }
  const key = by === 'model' ? sql`t.model` : by === 'kind' ? sql`t.kind` : sql`substr(r.finished_at, 1, 10)`;
  const only = by === 'model' ? sql` and t.model is not null` : sql``;
  const tasks = await sql<{ key: string; success: Value; value: Value; n: Value; tokens_in: Value; tokens_out: Value; cost_usd: Value }>`
    select ${key} as key, t.success, t.latency_ms as value, count(*) as n, sum(t.tokens_in) as tokens_in, sum(t.tokens_out) as tokens_out, sum(t.cost_usd) as cost_usd
    from atlas_runs r join atlas_tasks t on t.run_id = r.run_id where ${where}${only} group by 1, t.success, t.latency_ms`.execute(db);
  for (const row of tasks.rows) {
    const n = num(row.n);
    const g = delta.group(by, row.key);
    g.n += n;
    g.tokens_in += num(row.tokens_in);
    g.tokens_out += num(row.tokens_out);
    g.cost_usd += num(row.cost_usd);
    if (num(row.success) === 1) {
      g.ok += n;
      if (row.value !== null) {
        g.timed += n;
        g.latency(num(row.value), n);
      }
    }
  }
  // A run's rating counts once for each group its tasks are in; a task's rating, for its task's group.
  const rated = await sql<{ key: string; rating: Value }>`select distinct f.id, ${key} as key, f.rating from atlas_feedback f
      join atlas_tasks t on t.run_id = f.run_id and (f.task_id is null or f.task_id = t.task_id)
      join atlas_runs r on r.run_id = t.run_id where ${where}${only}`.execute(db);
  for (const row of rated.rows) delta.rate(by, row.key, num(row.rating), 1);
  return delta;
}

/** The kept figures of a grouping (`atlas_stats`); only groups after `afterKey` when given. */
async function storedFigures(db: Kysely<Database>, by: StatsGrouping, afterKey?: string): Promise<Map<string, GroupFigures>> {
  let query = db.selectFrom('atlas_stats').select(['key', 'n', 'ok', 'timed', 'tokens_in', 'tokens_out', 'cost_usd', 'ratings', 'rating_sum']).where('grouping', '=', by);
  if (afterKey !== undefined) query = query.where('key', '>', afterKey);
  const out = new Map<string, GroupFigures>();
  for (const row of await query.execute()) {
    const figures = new GroupFigures();
    figures.n = num(row.n);
    figures.ok = num(row.ok);
    figures.timed = num(row.timed);
    figures.tokens_in = num(row.tokens_in);
    figures.tokens_out = num(row.tokens_out);
    figures.cost_usd = num(row.cost_usd);
    figures.ratings = num(row.ratings);
    figures.rating_sum = num(row.rating_sum);
    out.set(row.key, figures);
  }
  return out;
}

/** Plan hash → title → runs, as kept (`atlas_stats_titles`). */
async function storedTitles(db: Kysely<Database>): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  for (const row of await db.selectFrom('atlas_stats_titles').select(['plan_hash', 'title', 'runs']).execute()) {
    let titles = out.get(row.plan_hash);
    if (titles === undefined) {
      titles = new Map();
      out.set(row.plan_hash, titles);
    }
    titles.set(row.title, num(row.runs));
  }
  return out;
}

/** The greatest title each plan's runs carry. */
function labels(titles: ReadonlyMap<string, ReadonlyMap<string, number>>, without?: ReadonlyMap<string, ReadonlyMap<string, number>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [hash, byTitle] of titles) {
    for (const [title, runs] of byTitle) {
      if (runs - (without?.get(hash)?.get(title) ?? 0) <= 0) continue;
      const best = out.get(hash);
      if (best === undefined || title > best) out.set(hash, title);
    }
  }
  return out;
}

/** `whole` minus `part`, group by group (the figures of the rows in `whole` but not in `part`). */
function difference(whole: ReadonlyMap<string, GroupFigures>, part: ReadonlyMap<string, GroupFigures>): Map<string, GroupFigures> {
  const out = new Map<string, GroupFigures>();
  for (const [key, a] of whole) {
    const b = part.get(key);
    if (b === undefined) {
      out.set(key, a);
      continue;
    }
    const d = new GroupFigures();
    d.n = a.n - b.n;
    d.ok = a.ok - b.ok;
    d.timed = a.timed - b.timed;
    d.tokens_in = a.tokens_in - b.tokens_in;
    d.tokens_out = a.tokens_out - b.tokens_out;
    d.cost_usd = a.cost_usd - b.cost_usd;
    d.ratings = a.ratings - b.ratings;
    d.rating_sum = a.rating_sum - b.rating_sum;
    out.set(key, d);
  }
  return out;
}

async function statsRows(figures: ReadonlyMap<string, GroupFigures>, latency: LatencyCounts, titles?: ReadonlyMap<string, string>): Promise<StatsRow[]> {
  const kept = [...figures].filter(([, f]) => f.n > 0);
  const p = await percentiles(latency, new Map(kept.map(([key, f]) => [key, f.timed])), [50, 95]);
  return kept.map(([key, f]) => {
    const label = titles?.get(key);
    const [p50, p95] = p.get(key) ?? [null, null];
    return {
      group: key,
      ...(label !== undefined ? { label } : {}),
      count: f.n,
      successes: f.ok,
      success_rate: f.ok / f.n,
      latency_p50_ms: p50 ?? null,
      latency_p95_ms: p95 ?? null,
      tokens_in: f.tokens_in,
      tokens_out: f.tokens_out,
      // Sums of money kept up to date by adding and subtracting carry rounding noise far below a cent.
      cost_usd: Math.max(0, f.cost_usd),
      rating_mean: f.ratings > 0 ? f.rating_sum / f.ratings : null,
      ratings: f.ratings,
    };
  });
}

/** Everything: the kept statistics alone, a few hundred rows whatever the archive's size. */
async function allTime(db: Kysely<Database>, by: StatsGrouping): Promise<StatsRow[]> {
  const [figures, titles] = await Promise.all([storedFigures(db, by), by === 'plan' ? storedTitles(db) : undefined]);
  return statsRows(figures, storedLatency(db, by), titles ? labels(titles) : undefined);
}

/**
 * Since a time. By day: the kept statistics of the days after the cutoff's day, and the rows of
 * that day from the cutoff on. Otherwise from the stored rows of whichever side of the cutoff has
 * fewer runs: those since (computed directly), or those before (taken away from the kept statistics).
 */
async function sinceStats(db: Kysely<Database>, by: StatsGrouping, since: string): Promise<StatsRow[]> {
  if (by === 'day') {
    const day = since.slice(0, 10);
    const [later, first] = await Promise.all([storedFigures(db, 'day', day), rowStats(db, 'day', { since, day })]);
    return [...(await statsRows(later, storedLatency(db, 'day', day))), ...(await statsRows(first.groups.day, memoryLatency(first.groups.day)))];
  }
  const [recent, total] = await Promise.all([
    db
      .selectFrom('atlas_runs')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('finished_at', '>=', since)
      .executeTakeFirst(),
    db
      .selectFrom('atlas_stats')
      .select((eb) => eb.fn.sum<number | string | null>('n').as('n'))
      .where('grouping', '=', 'plan')
      .executeTakeFirst(),
  ]);
  if (num(recent?.n ?? 0) * 2 <= num(total?.n ?? 0)) {
    const delta = await rowStats(db, by, { since });
    const groups = delta.groups[by];
    return statsRows(groups, memoryLatency(groups), by === 'plan' ? labels(delta.titles) : undefined);
  }
  const [whole, before, titles] = await Promise.all([storedFigures(db, by), rowStats(db, by, { before: since }), by === 'plan' ? storedTitles(db) : undefined]);
  const groups = before.groups[by];
  return statsRows(difference(whole, groups), latencyDifference(storedLatency(db, by), memoryLatency(groups)), titles ? labels(titles, before.titles) : undefined);
}

/** `archive stats`: figures per group, most frequent first (days in order). */
export async function archiveStats(db: Kysely<Database>, by: StatsGrouping, since: string | undefined, dialect: StoreDialect): Promise<StatsReport> {
  // One snapshot: the figures, titles and latency counts are separate reads, and a writer landing
  // between them (another process archiving or pruning) would leave them disagreeing by a rank.
  let snapshot = db.transaction();
  if (dialect === 'postgres') snapshot = snapshot.setIsolationLevel('repeatable read').setAccessMode('read only');
  const rows = await snapshot.execute((trx) => (since === undefined ? allTime(trx, by) : sinceStats(trx, by, since)));
  // Days read best in calendar order; the other groups, most frequent first.
  if (by === 'day') rows.sort((a, b) => compareText(a.group, b.group));
  else rows.sort((a, b) => b.count - a.count || compareText(a.group, b.group));
  return { by, unit: by === 'plan' ? 'runs' : 'tasks', ...(since !== undefined ? { since } : {}), rows };
}
