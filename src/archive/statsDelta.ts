import { latencyBucket, type StatsGroupingName } from '../store/index.js';

/** What statistics need of one archived task. */
export interface TaskFacts {
  task_id: string;
  kind: string;
  model: string | null;
  success: boolean;
  latency_ms: number | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
}

/** What statistics need of one archived run. */
export interface RunFacts {
  plan_hash: string;
  title: string;
  status: string;
  duration_ms: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  /** ISO-8601; its first 10 characters are the run's day. */
  finished_at: string;
}

/** What statistics need of one rating. */
export interface RatingFacts {
  /** The task rated; null for the whole run. */
  task_id: string | null;
  rating: number;
}

/** One group's figures: sums, and how many successful tasks (runs, by plan) took each latency. */
export class GroupFigures {
  n = 0;
  ok = 0;
  timed = 0;
  tokens_in = 0;
  tokens_out = 0;
  cost_usd = 0;
  ratings = 0;
  rating_sum = 0;
  /** Latency (ms) → how many. */
  readonly values = new Map<number, number>();
  /** `latencyBucket` → how many. */
  readonly buckets = new Map<number, number>();

  /** Counts a latency `sign` times (−1 takes one away). */
  latency(value: number, sign: number): void {
    this.values.set(value, (this.values.get(value) ?? 0) + sign);
    const bucket = latencyBucket(value);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + sign);
  }
}

export const GROUPINGS: readonly StatsGroupingName[] = ['model', 'kind', 'plan', 'day'];

/**
 * Changes to the archive's statistics, added up in memory (a batch of 1,000 records touches a few
 * hundred rows of statistics, not thousands) and then written at once (`writeStatsDelta`). Runs
 * count with `sign` 1 when stored and −1 when removed or replaced, so what is stored always equals
 * a computation over the stored rows. Also serves as the in-memory statistics of a set of rows
 * (`archive stats --since`).
 *
 * What counts where is what docs/archive.md says: tasks by model (those with one), kind and day of
 * their run's end; runs by plan (successes: status `success`; latency: the run's duration); a
 * rating of a run once for each group its tasks are in (by plan: once), a rating of a task for
 * that task's group.
 */
export class StatsDelta {
  readonly groups: Record<StatsGroupingName, Map<string, GroupFigures>> = { model: new Map(), kind: new Map(), plan: new Map(), day: new Map() };
  /** Plan hash → title → runs. */
  readonly titles = new Map<string, Map<string, number>>();

  group(grouping: StatsGroupingName, key: string): GroupFigures {
    const groups = this.groups[grouping];
    let figures = groups.get(key);
    if (figures === undefined) {
      figures = new GroupFigures();
      groups.set(key, figures);
    }
    return figures;
  }

  /** Counts one task in a group. */
  task(grouping: StatsGroupingName, key: string, task: Pick<TaskFacts, 'success' | 'latency_ms' | 'tokens_in' | 'tokens_out' | 'cost_usd'>, sign: number): void {
    const g = this.group(grouping, key);
    g.n += sign;
    g.tokens_in += sign * task.tokens_in;
    g.tokens_out += sign * task.tokens_out;
    g.cost_usd += sign * task.cost_usd;
    if (task.success) {
      g.ok += sign;
      if (task.latency_ms !== null) {
        g.timed += sign;
        g.latency(task.latency_ms, sign);
      }
    }
  }

  /** Counts a run and its tasks (`sign` 1), or takes them away (−1). */
  run(run: RunFacts, tasks: readonly TaskFacts[], sign: number): void {
    const day = run.finished_at.slice(0, 10);
    for (const task of tasks) {
      if (task.model !== null) this.task('model', task.model, task, sign);
      this.task('kind', task.kind, task, sign);
      this.task('day', day, task, sign);
    }
    const plan = this.group('plan', run.plan_hash);
    plan.n += sign;
    plan.tokens_in += sign * run.tokens_in;
    plan.tokens_out += sign * run.tokens_out;
    plan.cost_usd += sign * run.cost_usd;
    if (run.status === 'success') {
      plan.ok += sign;
      plan.timed += sign;
      plan.latency(run.duration_ms, sign);
    }
    let titles = this.titles.get(run.plan_hash);
    if (titles === undefined) {
      titles = new Map();
      this.titles.set(run.plan_hash, titles);
    }
    titles.set(run.title, (titles.get(run.title) ?? 0) + sign);
  }

  /** Counts ratings of a run whose tasks are `tasks` (`sign` 1), or takes them away (−1). */
  ratings(run: Pick<RunFacts, 'plan_hash' | 'finished_at'>, tasks: readonly Pick<TaskFacts, 'task_id' | 'kind' | 'model'>[], ratings: readonly RatingFacts[], sign: number): void {
    const day = run.finished_at.slice(0, 10);
    for (const { task_id, rating } of ratings) {
      this.rate('plan', run.plan_hash, rating, sign);
      const rated = task_id === null ? tasks : tasks.filter((t) => t.task_id === task_id);
      if (rated.length === 0) continue;
      const models = new Set<string>();
      const kinds = new Set<string>();
      for (const task of rated) {
        if (task.model !== null) models.add(task.model);
        kinds.add(task.kind);
      }
      for (const model of models) this.rate('model', model, rating, sign);
      for (const kind of kinds) this.rate('kind', kind, rating, sign);
      this.rate('day', day, rating, sign);
    }
  }

  /** Adds one rating to a group (from a query that already attributed it). */
  rate(grouping: StatsGroupingName, key: string, rating: number, sign: number): void {
    const g = this.group(grouping, key);
    g.ratings += sign;
    g.rating_sum += sign * rating;
  }
}
