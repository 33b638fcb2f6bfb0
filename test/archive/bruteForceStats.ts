import { sql, type Kysely } from 'kysely';
import type { StatsGrouping, StatsRow } from '../../src/archive/index.js';
import type { Database } from '../../src/store/index.js';

/**
 * `archive stats` computed the slow, obvious way: every stored task, run and rating read back and
 * counted in JavaScript, percentiles by sorting. What the kept statistics must always equal.
 */

type Value = number | string | null;

function nearest(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(1, Math.ceil((p * sorted.length) / 100)) - 1] ?? null;
}

interface Group {
  count: number;
  successes: number;
  latencies: number[];
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  ratings: number[];
  titles: string[];
}

function newGroup(): Group {
  return { count: 0, successes: 0, latencies: [], tokens_in: 0, tokens_out: 0, cost_usd: 0, ratings: [], titles: [] };
}

export async function bruteForceStats(db: Kysely<Database>, by: StatsGrouping, since?: string): Promise<StatsRow[]> {
  const groups = new Map<string, Group>();
  const group = (key: string): Group => {
    let g = groups.get(key);
    if (g === undefined) {
      g = newGroup();
      groups.set(key, g);
    }
    return g;
  };
  const runs = await sql<{ run_id: string; plan_hash: string; title: string; status: string; duration_ms: Value; tokens_in: Value; tokens_out: Value; cost_usd: Value; finished_at: string }>`
    select run_id, plan_hash, title, status, duration_ms, tokens_in, tokens_out, cost_usd, finished_at from atlas_runs`.execute(db);
  const inRange = new Map(runs.rows.filter((r) => since === undefined || r.finished_at >= since).map((r) => [r.run_id, r]));
  const feedback = (await sql<{ id: string; run_id: string; task_id: string | null; rating: Value }>`select id, run_id, task_id, rating from atlas_feedback`.execute(db)).rows.filter((f) =>
    inRange.has(f.run_id),
  );
  if (by === 'plan') {
    for (const run of inRange.values()) {
      const g = group(run.plan_hash);
      g.count += 1;
      g.tokens_in += Number(run.tokens_in);
      g.tokens_out += Number(run.tokens_out);
      g.cost_usd += Number(run.cost_usd);
      g.titles.push(run.title);
      if (run.status === 'success') {
        g.successes += 1;
        g.latencies.push(Number(run.duration_ms));
      }
    }
    for (const f of feedback) group((inRange.get(f.run_id) as { plan_hash: string }).plan_hash).ratings.push(Number(f.rating));
  } else {
    const tasks = (
      await sql<{ run_id: string; task_id: string; kind: string; model: string | null; success: Value; latency_ms: Value; tokens_in: Value; tokens_out: Value; cost_usd: Value; finished_at: string }>`
        select run_id, task_id, kind, model, success, latency_ms, tokens_in, tokens_out, cost_usd, finished_at from atlas_tasks`.execute(db)
    ).rows.filter((t) => inRange.has(t.run_id));
    const keyOf = (t: (typeof tasks)[number]): string | null => (by === 'model' ? t.model : by === 'kind' ? t.kind : t.finished_at.slice(0, 10));
    for (const t of tasks) {
      const key = keyOf(t);
      if (key === null) continue;
      const g = group(key);
      g.count += 1;
      g.tokens_in += Number(t.tokens_in);
      g.tokens_out += Number(t.tokens_out);
      g.cost_usd += Number(t.cost_usd);
      if (Number(t.success) === 1) {
        g.successes += 1;
        if (t.latency_ms !== null) g.latencies.push(Number(t.latency_ms));
      }
    }
    // A run's rating once for each group its tasks are in; a task's rating for its task's group.
    for (const f of feedback) {
      const keys = new Set(
        tasks
          .filter((t) => t.run_id === f.run_id && (f.task_id === null || f.task_id === t.task_id))
          .map(keyOf)
          .filter((k) => k !== null),
      );
      for (const key of keys) group(key).ratings.push(Number(f.rating));
    }
  }
  return [...groups]
    .filter(([, g]) => g.count > 0)
    .map(([key, g]) => {
      const sorted = [...g.latencies].sort((a, b) => a - b);
      const titles = [...g.titles].sort();
      return {
        group: key,
        ...(by === 'plan' ? { label: titles.at(-1) as string } : {}),
        count: g.count,
        successes: g.successes,
        success_rate: g.successes / g.count,
        latency_p50_ms: nearest(sorted, 50),
        latency_p95_ms: nearest(sorted, 95),
        tokens_in: g.tokens_in,
        tokens_out: g.tokens_out,
        cost_usd: g.cost_usd,
        rating_mean: g.ratings.length === 0 ? null : g.ratings.reduce((a, b) => a + b, 0) / g.ratings.length,
        ratings: g.ratings.length,
      };
    })
    .sort((a, b) => (by === 'day' ? (a.group < b.group ? -1 : 1) : b.count - a.count || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0)));
}

/** Rows compared exactly, sums of money to nine digits and means to twelve (added up in another order). */
export function comparableStats(rows: readonly StatsRow[]): unknown[] {
  return rows.map((row) => ({ ...row, cost_usd: Math.round(row.cost_usd * 1e9), rating_mean: row.rating_mean === null ? null : Math.round(row.rating_mean * 1e12) }));
}
