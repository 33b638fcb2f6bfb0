import { sql, type Kysely } from 'kysely';
import { latencyBucketSql } from './latencyBucket.js';
import type { StoreDialect } from './migrations.js';

/**
 * Migration 5: the archive's statistics, kept up to date as records are written, so `archive stats`
 * reads a few hundred rows instead of every task. Shipped migrations never change; this file
 * describes version 5 and is not edited afterwards.
 *
 * - `atlas_stats`: per grouping (`model`, `kind`, `plan`, `day`) and group, the counts and sums
 *   `archive stats` shows, and the ratings that apply (their number and sum); `id` names the group
 *   in the next table.
 * - `atlas_stats_latency`: per group (`stat_id`), how many successful tasks (runs, by plan) took
 *   each latency, exactly (level 0: one row per distinct value), and per coarse bucket (level 1,
 *   `latencyBucket`): nearest-rank percentiles from these are exact. Integers only, so rows are
 *   small: every batch of records touches many of them.
 * - `atlas_stats_titles`: per plan, how many runs carry each title (statistics by plan show the
 *   greatest, which must stay right when runs are removed).
 *
 * Filled here from the stored rows, so an archive from before version 5 has its statistics at once.
 * The index on atlas_tasks by model goes: statistics no longer read atlas_tasks, and every index on
 * it costs each archived task. (And on SQLite, the full-text index merges its segments less often.)
 *
 * And the `.atlas` record is no longer stored twice: `atlas_runs.chaos_level` and
 * `atlas_tasks.position`, `title` and `given` hold what its columns lacked, so a record can be put
 * back together from its rows, and `atlas_runs.record` is left empty (''). It is still stored,
 * sealed, when results are encrypted at rest; rows from before version 5 keep theirs.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration describes the historical schema, which has no type.
export async function createArchiveStats(db: Kysely<any>, dialect: StoreDialect): Promise<void> {
  await db.schema.dropIndex('atlas_tasks_model_stats').execute();
  if (dialect === 'sqlite') {
    // FTS5 merges the index's segments 16 at a time instead of 4: a third less work per archived
    // run at 100,000 runs, and searches as fast (a few more segments to look in).
    await sql`insert into atlas_fts (atlas_fts, rank) values ('automerge', 16)`.execute(db);
  }
  await db.schema.alterTable('atlas_runs').addColumn('chaos_level', 'integer').execute();
  // The task's place in the plan, its title, and which optional figures the record gave (1: tokens,
  // 2: cost), since the token and cost columns hold 0 when it gave none.
  await db.schema.alterTable('atlas_tasks').addColumn('position', 'integer').execute();
  await db.schema.alterTable('atlas_tasks').addColumn('title', 'varchar(200)').execute();
  await db.schema.alterTable('atlas_tasks').addColumn('given', 'integer').execute();

  // SQLite's `integer primary key` is the row id (assigned on insert); PostgreSQL needs a
  // sequence, and a 64-bit one: every upsert draws a value, even one that only updates a row.
  const stats = db.schema
    .createTable('atlas_stats')
    .addColumn('id', dialect === 'sqlite' ? 'integer' : 'bigserial', (c) => c.primaryKey())
    .addColumn('grouping', 'varchar(8)', (c) => c.notNull())
    .addColumn('key', 'varchar(128)', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addColumn('ok', 'bigint', (c) => c.notNull())
    .addColumn('timed', 'bigint', (c) => c.notNull())
    .addColumn('tokens_in', 'bigint', (c) => c.notNull())
    .addColumn('tokens_out', 'bigint', (c) => c.notNull())
    .addColumn('cost_usd', 'double precision', (c) => c.notNull())
    .addColumn('ratings', 'bigint', (c) => c.notNull())
    .addColumn('rating_sum', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('atlas_stats_group', ['grouping', 'key']);
  let latency = db.schema
    .createTable('atlas_stats_latency')
    .addColumn('stat_id', 'bigint', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('atlas_stats_latency_pk', ['stat_id', 'level', 'value']);
  let titles = db.schema
    .createTable('atlas_stats_titles')
    .addColumn('plan_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('title', 'varchar(300)', (c) => c.notNull())
    .addColumn('runs', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('atlas_stats_titles_pk', ['plan_hash', 'title']);
  if (dialect === 'sqlite') {
    latency = latency.modifyEnd(sql`without rowid`);
    titles = titles.modifyEnd(sql`without rowid`);
  }
  await stats.execute();
  await latency.execute();
  await titles.execute();

  // Tasks by model (AI tasks), kind and day (of the run's end, UTC); runs by plan. The constants
  // are literals, not parameters: PostgreSQL types a parameter in a select list as text.
  const groupings = [
    { grouping: 'model', key: 't.model', where: sql`t.model is not null` },
    { grouping: 'kind', key: 't.kind', where: sql`1 = 1` },
    { grouping: 'day', key: 'substr(t.finished_at, 1, 10)', where: sql`1 = 1` },
  ];
  for (const { grouping, key, where } of groupings) {
    const k = sql.raw(key);
    await sql`insert into atlas_stats (grouping, key, n, ok, timed, tokens_in, tokens_out, cost_usd, ratings, rating_sum)
      select ${sql.lit(grouping)}, ${k}, count(*), sum(t.success), sum(case when t.success = 1 and t.latency_ms is not null then 1 else 0 end),
        sum(t.tokens_in), sum(t.tokens_out), sum(t.cost_usd), 0, 0
      from atlas_tasks t where ${where} group by ${k}`.execute(db);
    // A run's rating applies once to each group its tasks are in; a task's rating to its task's group.
    await sql`update atlas_stats set ratings = r.n, rating_sum = r.s from (
        select key, count(*) as n, sum(rating) as s from (
          select distinct f.id, ${k} as key, f.rating from atlas_feedback f
          join atlas_tasks t on t.run_id = f.run_id and (f.task_id is null or f.task_id = t.task_id) where ${where}
        ) rated group by key
      ) r where atlas_stats.grouping = ${sql.lit(grouping)} and atlas_stats.key = r.key`.execute(db);
    for (const [level, value] of [
      [0, 't.latency_ms'],
      [1, latencyBucketSql('t.latency_ms')],
    ] as const) {
      await sql`insert into atlas_stats_latency (stat_id, level, value, n)
        select s.id, ${sql.lit(level)}, ${sql.raw(value)}, count(*) from atlas_tasks t join atlas_stats s on s.grouping = ${sql.lit(grouping)} and s.key = ${k}
        where ${where} and t.success = 1 and t.latency_ms is not null group by s.id, 3`.execute(db);
    }
  }

  await sql`insert into atlas_stats (grouping, key, n, ok, timed, tokens_in, tokens_out, cost_usd, ratings, rating_sum)
    select 'plan', r.plan_hash, count(*), sum(case when r.status = 'success' then 1 else 0 end), sum(case when r.status = 'success' then 1 else 0 end),
      sum(r.tokens_in), sum(r.tokens_out), sum(r.cost_usd), 0, 0
    from atlas_runs r group by r.plan_hash`.execute(db);
  await sql`update atlas_stats set ratings = r.n, rating_sum = r.s from (
      select a.plan_hash as key, count(*) as n, sum(f.rating) as s from atlas_feedback f join atlas_runs a on a.run_id = f.run_id group by a.plan_hash
    ) r where atlas_stats.grouping = 'plan' and atlas_stats.key = r.key`.execute(db);
  for (const [level, value] of [
    [0, 'r.duration_ms'],
    [1, latencyBucketSql('r.duration_ms')],
  ] as const) {
    await sql`insert into atlas_stats_latency (stat_id, level, value, n)
      select s.id, ${sql.lit(level)}, ${sql.raw(value)}, count(*) from atlas_runs r join atlas_stats s on s.grouping = 'plan' and s.key = r.plan_hash
      where r.status = 'success' group by s.id, 3`.execute(db);
  }
  await sql`insert into atlas_stats_titles (plan_hash, title, runs) select plan_hash, title, count(*) from atlas_runs group by plan_hash, title`.execute(db);
}
