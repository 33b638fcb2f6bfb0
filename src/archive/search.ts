import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, StoreDialect } from '../store/index.js';
import { num } from './rows.js';
import { toFts5, toTsQuery, type SearchQuery } from './searchQuery.js';

export interface SearchOptions {
  /** Only runs that ended so (`success`, `partial`, `failure`, `cancelled`). */
  status?: readonly string[] | undefined;
  /** Only runs that finished at or after this ISO-8601 time. */
  since?: string | undefined;
  /** Only runs with a task answered by (or, when it failed, asked of) this model. */
  model?: string | undefined;
  /** Most hits; default 20, at most 1,000. */
  limit?: number | undefined;
}

/** One run that matched; the most recently archived first. */
export interface SearchHit {
  run_id: string;
  title: string;
  command: string | null;
  status: string;
  finished_at: string;
  success_rate: number;
  tasks: number;
  failed: number;
  cost_usd: number;
}

interface HitRow {
  run_id: string;
  title: string;
  command: string | null;
  status: string;
  finished_at: string;
  success_rate: number | string;
  tasks: number | string;
  failed: number | string;
  cost_usd: number | string;
}

/**
 * Runs whose command, titles, task outputs or errors match `query`, through the dialect's full-text
 * index: FTS5 `MATCH` on SQLite, `@@ to_tsquery('simple', …)` on PostgreSQL. The filters are plain
 * columns of `atlas_runs`. Order: the most recently archived first (archive order is the order runs
 * finished, except for imported records, which count as archived when imported). FTS5 then reads
 * matches in row-id order and stops at `limit`, so a word found in every run costs no more than a
 * rare one.
 */
export async function searchRuns(db: Kysely<Database>, dialect: StoreDialect, query: SearchQuery, options: SearchOptions = {}): Promise<SearchHit[]> {
  const limit = Math.max(1, Math.min(options.limit ?? 20, 1000));
  const filters: RawBuilder<unknown>[] = [];
  if (options.status && options.status.length > 0) filters.push(sql`r.status in (${sql.join(options.status.map((s) => sql`${s}`))})`);
  if (options.since) filters.push(sql`r.finished_at >= ${options.since}`);
  // coalesce() keeps the planner on the (run_id, task_id) key: a run has a handful of tasks, while
  // a model's stats index would be scanned whole for every match.
  if (options.model) filters.push(sql`exists (select 1 from atlas_tasks t where t.run_id = r.run_id and coalesce(t.model, '') = ${options.model})`);
  const where = filters.length === 0 ? sql`` : sql` and ${sql.join(filters, sql` and `)}`;
  const columns = sql`r.run_id, r.title, r.command, r.status, r.finished_at, r.success_rate, r.tasks, r.failed, r.cost_usd`;
  const matched =
    dialect === 'sqlite'
      ? sql<HitRow>`select ${columns} from atlas_fts f join atlas_runs r on r.id = f.rowid where atlas_fts match ${toFts5(query)}${where} order by f.rowid desc limit ${limit}`
      : sql<HitRow>`select ${columns} from atlas_search s join atlas_runs r on r.id = s.id where s.document @@ to_tsquery('simple', ${toTsQuery(query)})${where} order by r.id desc limit ${limit}`;
  const { rows } = await matched.execute(db);
  return rows.map((row) => ({
    run_id: row.run_id,
    title: row.title,
    command: row.command,
    status: row.status,
    finished_at: row.finished_at,
    success_rate: num(row.success_rate),
    tasks: num(row.tasks),
    failed: num(row.failed),
    cost_usd: num(row.cost_usd),
  }));
}
