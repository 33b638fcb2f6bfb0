import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { Archive, STATS_GROUPINGS } from '../../src/archive/index.js';
import { sampleLast, storeRun } from '../../src/archive/test-support/samples.js';
import type { AtlasRecord, LastResult } from '../../src/formats/index.js';
import { MIGRATIONS, openStore, type Store } from '../../src/store/index.js';
import { describeDialects } from '../support/postgres.js';
import { bruteForceStats, comparableStats } from './bruteForceStats.js';
import { seededRandom } from '../../src/core/random/index.js';
import { pruneRecords } from '../../src/archive/pruneRecords.js';

/**
 * The statistics kept up to date at every write must equal, at every moment, what a computation
 * over the stored rows gives: after imports (new runs, runs already there, feedback merged),
 * ratings, runs archived again with other results, and pruning; with and without --since.
 */


const START = Date.parse('2026-04-01T00:00:00.000Z');
const SPAN = 6 * 86_400_000;
const KINDS = ['ai', 'ai', 'shell', 'fs', 'http', 'transform'] as const;
const MODELS = ['m-fast', 'm-slow', 'vendor/m-big'];
const PLANS = ['1', '2', '3', '4'].map((d) => d.repeat(64));
const TITLES = ['Weekly report', 'weekly report'];

interface RandomTask {
  id: string;
  kind: (typeof KINDS)[number];
  title?: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  model?: string;
  latency?: number;
  tokens?: { input: number; output: number };
  cost?: number;
}

function randomTasks(random: () => number): RandomTask[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  // Latencies over the whole range the buckets cover, with values that repeat.
  const latency = (): number | undefined => {
    const r = random();
    if (r < 0.1) return undefined;
    if (r < 0.35) return pick([0, 1, 63, 64, 4095, 4096, 4097, 8191, 8192, 1500]);
    if (r < 0.7) return Math.floor(random() * 5000);
    if (r < 0.95) return Math.floor(random() * 300_000);
    return Math.floor(random() * 2 ** 40);
  };
  return Array.from({ length: Math.floor(random() * 5) }, (_, j) => {
    const kind = pick(KINDS);
    const r = random();
    const status = r < 0.7 ? 'succeeded' : r < 0.9 ? 'failed' : r < 0.95 ? 'skipped' : 'cancelled';
    const model = kind === 'ai' && random() < 0.9 ? pick(MODELS) : undefined;
    const spent = kind === 'ai' && status === 'succeeded';
    const l = latency();
    return {
      id: `t${j}`,
      kind,
      ...(random() < 0.5 ? { title: `step ${j}` } : {}),
      status,
      ...(model !== undefined ? { model } : {}),
      ...(l !== undefined ? { latency: l } : {}),
      ...(spent ? { tokens: { input: Math.floor(random() * 1000), output: Math.floor(random() * 300) }, cost: Math.round(random() * 1e6) / 1e8 } : {}),
    };
  });
}

function randomRecord(random: () => number, runId: string): AtlasRecord {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const tasks = randomTasks(random);
  const finished = START + Math.floor(random() * SPAN);
  const duration = pick([0, 900, 4096, Math.floor(random() * 600_000)]);
  const succeeded = tasks.filter((t) => t.status === 'succeeded').length;
  const failed = tasks.filter((t) => t.status === 'failed').length;
  const chaos = random() < 0.1;
  return {
    atlas: 1,
    run_id: runId,
    plan_id: 'alt-random',
    plan_hash: pick(PLANS),
    title: pick(TITLES),
    ...(random() < 0.5 ? { command: `make the report ${runId}` } : {}),
    status: succeeded === tasks.length ? 'success' : succeeded === 0 ? 'failure' : 'partial',
    mode: chaos ? 'chaos' : 'normal',
    ...(chaos ? { chaos_level: 1 + Math.floor(random() * 10) } : {}),
    success_rate: tasks.length === 0 ? 0 : succeeded / tasks.length,
    started_at: new Date(finished - duration).toISOString(),
    finished_at: new Date(finished).toISOString(),
    duration_ms: duration,
    tasks: tasks.map((t) => ({
      id: t.id,
      kind: t.kind,
      ...(t.title !== undefined ? { title: t.title } : {}),
      status: t.status,
      success: t.status === 'succeeded',
      ...(t.model !== undefined ? { model: t.model, provider: 'mock' } : {}),
      ...(t.latency !== undefined ? { latency_ms: t.latency } : {}),
      ...(t.tokens ? { tokens: t.tokens, cost_usd: t.cost ?? 0 } : {}),
      ...(t.status === 'failed' ? { error_code: 'LA_TIMEOUT' } : {}),
      attempts: t.status === 'skipped' ? 0 : 1,
    })),
    totals: {
      tasks: tasks.length,
      succeeded,
      failed,
      tokens_in: tasks.reduce((n, t) => n + (t.tokens?.input ?? 0), 0),
      tokens_out: tasks.reduce((n, t) => n + (t.tokens?.output ?? 0), 0),
      cost_usd: tasks.reduce((n, t) => n + (t.cost ?? 0), 0),
    },
    feedback:
      random() < 0.25
        ? Array.from({ length: 1 + Math.floor(random() * 2) }, (_, k) => ({
            rating: 1 + Math.floor(random() * 5),
            ...(tasks.length > 0 && random() < 0.5 ? { task: pick(tasks).id } : {}),
            at: new Date(finished + 1000 * (k + 1)).toISOString(),
          }))
        : [],
  };
}

/** A finished `.last` whose tasks are random: what the runner hands the archive. */
function randomLast(random: () => number, runId: string): LastResult {
  const base = sampleLast(runId, { finishedAt: new Date(START + Math.floor(random() * SPAN)).toISOString() });
  const tasks = randomTasks(random);
  const count = (status: RandomTask['status']): number => tasks.filter((t) => t.status === status).length;
  const finished = base.timings.finished_at;
  return {
    ...base,
    status: count('failed') + count('cancelled') > 0 ? 'partial' : 'success',
    success_rate: tasks.length === 0 ? 0 : count('succeeded') / tasks.length,
    tasks: tasks.map((t) => ({
      id: t.id,
      kind: t.kind,
      ...(t.title !== undefined ? { title: t.title } : {}),
      status: t.status,
      on_failure: 'continue',
      attempts: 1,
      finished_at: finished,
      ...(t.latency !== undefined ? { duration_ms: t.latency } : {}),
      ...(t.model !== undefined ? { model: t.model, output: { text: 'ok', provider: 'mock' } } : {}),
      ...(t.tokens ? { tokens: t.tokens, cost_usd: t.cost ?? 0 } : {}),
      ...(t.status === 'failed' ? { error: { code: 'LA_TIMEOUT', message: 'too slow', category: 'transient' } } : {}),
    })),
    totals: {
      ...base.totals,
      tasks: tasks.length,
      succeeded: count('succeeded'),
      failed: count('failed'),
      skipped: count('skipped'),
      cancelled: count('cancelled'),
      tokens_in: tasks.reduce((n, t) => n + (t.tokens?.input ?? 0), 0),
      tokens_out: tasks.reduce((n, t) => n + (t.tokens?.output ?? 0), 0),
      cost_usd: tasks.reduce((n, t) => n + (t.cost ?? 0), 0),
    },
  } as LastResult;
}


describeDialects('archive statistics kept up to date', ({ dialect, newDatabase, openStore: open }) => {

  /** Cutoffs before everything, after everything, on a stored finish time, and on either side of the middle. */
  async function cutoffs(store: Store): Promise<(string | undefined)[]> {
    const times = (await store.db.selectFrom('atlas_runs').select('finished_at').orderBy('finished_at').execute()).map((r) => r.finished_at);
    const at = (q: number): string | undefined => times[Math.floor(q * (times.length - 1))];
    return [undefined, '2026-03-01T00:00:00.000Z', '2026-05-01', at(0.15), at(0.5), at(0.85), new Date(START + 2.5 * 86_400_000).toISOString()];
  }

  async function expectExact(store: Store, archive: Archive, step: string): Promise<void> {
    for (const since of await cutoffs(store)) {
      for (const by of STATS_GROUPINGS) {
        const report = await archive.statistics(by, { since });
        expect(comparableStats(report.rows), `${step}: by ${by} since ${since ?? 'ever'}`).toEqual(comparableStats(await bruteForceStats(store.db, by, since)));
      }
    }
  }

  it('equal a computation over the stored rows after imports, ratings, runs archived again and pruning', { timeout: 120_000 }, async () => {
    const random = seededRandom(7);
    const store = await open();
    let now = Date.parse('2026-04-08T00:00:00.000Z');
    const archive = new Archive({ store, now: () => now });

    const first = Array.from({ length: 240 }, (_, i) => randomRecord(random, `imp-${i}`));
    for (let i = 0; i < first.length; i += 80) await archive.importRecords(first.slice(i, i + 80));
    await expectExact(store, archive, 'imported');

    // A bundle with runs stored already (their stored tasks decide where new ratings count, not the
    // bundle's), new runs, and feedback some of which is stored already.
    const again = [
      ...first.slice(0, 60).map((record) => ({ ...randomRecord(random, record.run_id), feedback: [...record.feedback, { rating: 5, at: '2026-04-09T00:00:00.000Z' }] })),
      ...Array.from({ length: 60 }, (_, i) => randomRecord(random, `imp-new-${i}`)),
    ];
    const report = await archive.importRecords(again);
    expect(report).toMatchObject({ added: 60, skipped: 60 });
    await expectExact(store, archive, 'imported again');

    for (let i = 0; i < 40; i += 1) {
      const record = first[Math.floor(random() * first.length)] as AtlasRecord;
      const shown = await archive.show(record.run_id);
      const task = shown.record.tasks[Math.floor(random() * shown.record.tasks.length)];
      now += 1000;
      await archive.feedback(record.run_id, { rating: 1 + Math.floor(random() * 5), ...(task && random() < 0.5 ? { task: task.id } : {}) });
    }
    await expectExact(store, archive, 'rated');

    // Runs archived as they end, rated, then archived again from a different result: the old
    // record leaves the statistics, the new one enters, the ratings follow the new tasks.
    const live = Array.from({ length: 30 }, (_, i) => `live-${i}`);
    for (const runId of live) {
      await storeRun(store, randomLast(random, runId));
      expect(await archive.ingestRun(runId)).toEqual({ archived: true });
    }
    for (const runId of live.slice(0, 20)) {
      now += 1000;
      await archive.feedback(runId, { rating: 2 });
      const shown = await archive.show(runId);
      if (shown.record.tasks[0]) await archive.feedback(runId, { rating: 4, task: shown.record.tasks[0].id });
    }
    for (const runId of live) expect(await archive.ingestRun(runId, randomLast(random, runId))).toEqual({ archived: true });
    await expectExact(store, archive, 'archived again');

    // Pruned a few runs at a time (a big prune goes page by page), then the rest in one go.
    const middle = new Date(START + SPAN / 2).toISOString();
    await store.bulkWrite((writer) => pruneRecords(writer, store.db, middle, ['success', 'partial', 'failure', 'cancelled'], 7));
    await expectExact(store, archive, 'pruned page by page');
    await archive.prune(new Date(START + (SPAN * 2) / 3).toISOString());
    await expectExact(store, archive, 'pruned');

    await archive.prune('2027-01-01T00:00:00.000Z');
    for (const by of STATS_GROUPINGS) expect((await archive.statistics(by)).rows).toEqual([]);
    for (const table of ['atlas_stats', 'atlas_stats_latency', 'atlas_stats_titles']) {
      const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(store.db);
      expect(Number(rows[0]?.n), table).toBe(0);
    }
  });

  it('are computed from the stored rows when an archive from before them is upgraded', async () => {
    const random = seededRandom(5);
    const target = await newDatabase();
    const records = Array.from({ length: 150 }, (_, i) => randomRecord(random, `old-${i}`));
    // Written as LocalAgent did at schema version 4: the record JSON in the run's row.
    const old = await openStore({ ...target, migrations: MIGRATIONS.slice(0, 4) });
    try {
      for (const record of records) {
        const { feedback, ...rest } = record;
        await old.db
          .insertInto('atlas_runs')
          .values({
            run_id: record.run_id,
            plan_hash: record.plan_hash,
            plan_id: record.plan_id,
            title: record.title,
            command: record.command ?? null,
            status: record.status,
            mode: record.mode,
            success_rate: record.success_rate,
            started_at: record.started_at,
            finished_at: record.finished_at,
            duration_ms: record.duration_ms,
            tasks: record.totals.tasks,
            succeeded: record.totals.succeeded,
            failed: record.totals.failed,
            tokens_in: record.totals.tokens_in,
            tokens_out: record.totals.tokens_out,
            cost_usd: record.totals.cost_usd,
            record: JSON.stringify({ ...rest, feedback: [] }),
            source: 'import',
            archived_at: '2026-04-08T00:00:00.000Z',
          } as never)
          .execute();
        for (const t of record.tasks) {
          await old.db
            .insertInto('atlas_tasks')
            .values({
              run_id: record.run_id,
              task_id: t.id,
              kind: t.kind,
              status: t.status,
              success: t.success ? 1 : 0,
              model: t.model ?? null,
              provider: t.provider ?? null,
              latency_ms: t.latency_ms ?? null,
              first_token_ms: t.first_token_ms ?? null,
              tokens_in: t.tokens?.input ?? 0,
              tokens_out: t.tokens?.output ?? 0,
              cost_usd: t.cost_usd ?? 0,
              error_code: t.error_code ?? null,
              attempts: t.attempts,
              finished_at: record.finished_at,
            } as never)
            .execute();
        }
        for (const [k, f] of feedback.entries()) {
          await old.db
            .insertInto('atlas_feedback')
            .values({ id: `${record.run_id}-${k}`, run_id: record.run_id, task_id: f.task ?? null, rating: f.rating, comment: null, at: f.at, given_by: null })
            .execute();
        }
      }
    } finally {
      await old.close();
    }
    const store = await open(target);
    expect(store.version).toBe(MIGRATIONS.length);
    const archive = new Archive({ store });
    await expectExact(store, archive, 'upgraded');
    // Old rows keep their record; the archive reads both kinds.
    const sample = records[3] as AtlasRecord;
    expect((await archive.show(sample.run_id)).record).toEqual({ ...sample, feedback: [...sample.feedback].sort((a, b) => (a.at < b.at ? -1 : 1)) });
    await archive.importRecords([randomRecord(random, 'new-after-upgrade')]);
    await archive.prune(new Date(START + SPAN / 3).toISOString());
    await expectExact(store, archive, 'upgraded, then written');
  });

  // PostgreSQL: writers in separate transactions at once (SQLite writers take turns; several
  // processes on one file are in test/archive/concurrency.test.ts).
  it.runIf(dialect === 'postgres')('stay exact when several connections import, rate, archive again and prune at once', { timeout: 120_000 }, async () => {
    const random = seededRandom(13);
    const target = await newDatabase();
    const connections = await Promise.all([open(target), open(target), open(target)]);
    let now = Date.parse('2026-04-08T00:00:00.000Z');
    const archives = connections.map((store) => new Archive({ store, now: () => (now += 1) }));
    const shared = Array.from({ length: 40 }, (_, i) => randomRecord(random, `shared-${i}`));
    const own = archives.map((_, a) => Array.from({ length: 120 }, (_, i) => randomRecord(random, `own-${a}-${i}`)));
    const live = Array.from({ length: 12 }, (_, i) => `live-${i}`);
    for (const runId of live) await storeRun(connections[0] as Store, randomLast(random, runId));
    const lasts = archives.map(() => live.map((runId) => randomLast(random, runId)));
    await Promise.all(
      archives.map(async (archive, a) => {
        for (let i = 0; i < 120; i += 20) {
          // Every writer imports the shared runs too (with their feedback, and one rating of its own).
          await archive.importRecords([...(own[a] as AtlasRecord[]).slice(i, i + 20), ...shared.map((r) => ({ ...r, feedback: [...r.feedback, { rating: 1 + a, at: `2026-04-0${a + 1}T00:00:00.000Z` }] }))]);
          const rated = shared[(i / 20 + a) % shared.length] as AtlasRecord;
          await archive.feedback(rated.run_id, { rating: 3 });
        }
        for (const [k, runId] of live.entries()) await archive.ingestRun(runId, (lasts[a] as LastResult[])[k]);
      }),
    );
    const store = connections[0] as Store;
    await expectExact(store, archives[0] as Archive, 'written at once');
    await Promise.all([
      (archives[0] as Archive).prune(new Date(START + SPAN / 3).toISOString()),
      (archives[1] as Archive).importRecords(Array.from({ length: 50 }, (_, i) => randomRecord(random, `late-${i}`))),
      (archives[2] as Archive).feedback((shared[0] as AtlasRecord).run_id, { rating: 5 }).catch(() => undefined),
    ]);
    await expectExact(store, archives[0] as Archive, 'pruned while writing');
  });

  it('gives back every imported record exactly as it came, from the rows it is stored in', async () => {
    const random = seededRandom(11);
    const store = await open();
    const archive = new Archive({ store });
    const records = Array.from({ length: 60 }, (_, i) => randomRecord(random, `r-${i}`));
    await archive.importRecords(records);
    for (const record of records) {
      const { record: shown } = await archive.show(record.run_id);
      const feedback = [...record.feedback].sort((a, b) => (a.at < b.at ? -1 : 1));
      expect(shown, record.run_id).toEqual({ ...record, feedback });
    }
    // Nothing of the record is stored twice: the run's row holds no copy of it.
    const copies = await store.db.selectFrom('atlas_runs').select('record').where('record', '!=', '').execute();
    expect(copies).toEqual([]);
  });
});
