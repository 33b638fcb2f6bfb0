// The archive over 100,000 .atlas records, on SQLite and on PostgreSQL in the same run:
//   ingest — Archive.importRecords in batches of 1,000 (one transaction each): the record row, its
//            3 task rows and its full-text entry (FTS5 / tsvector), in records per second;
//   search — Archive.search for a mix of queries (a rare word, a common word, a phrase, a prefix, a
//            field, OR, a status filter), p50 and p95 over all queries;
//   stats  — Archive.statistics by model, kind, plan and day over everything, each 7 times; then the
//            same with --since the last 7 days and the last 30 days of the records (what the kept
//            statistics cannot answer alone: the rows on the smaller side of the cutoff are read).
// Baseline, same run, same database: the same records' JSON inserted into a one-column table in
// the same batches (what storing the bytes alone costs), so the ingest ratio says what the archive's
// rows and index add.
// Targets (SQLite): ≥ 20,000 records/s ingest, search p95 ≤ 20 ms, stats ≤ 50 ms for every grouping.
// PostgreSQL (127.0.0.1:5432, database `test`, or LOCALAGENT_TEST_DATABASE_URL) is measured when it
// answers and reported without a target; the run says so when it does not. After its ingest the
// bench runs VACUUM ANALYZE, as autovacuum would shortly after a bulk load.
// Needs a build: npx tsc -p tsconfig.build.json (npm run bench does it).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'kysely';
import { Archive } from '../dist/archive/index.js';
import { openStore } from '../dist/store/index.js';
import { median, quantile, round } from './stats.mjs';
import { seededRandom } from '../dist/core/random/index.js';

const N = Number(process.env.LOCALAGENT_BENCH_ARCHIVE_RECORDS ?? 100_000);
const BATCH = 1000;
const PG_URL = process.env.LOCALAGENT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const VERBS = ['draft', 'summarise', 'translate', 'review', 'publish', 'plan', 'deploy', 'backup', 'check', 'rename'];
const OBJECTS = ['release notes', 'the incident channel', 'meeting minutes', 'the changelog', 'invoices', 'the weekly report', 'photos', 'the database', 'support tickets', 'the roadmap'];
const MODELS = ['openai/gpt-4o-mini', 'openai/gpt-4o', 'anthropic/claude-sonnet-4-5', 'gemini/gemini-2.5-flash', 'ollama/llama3.1:8b'];
const ERRORS = ['LA_TIMEOUT', 'LA_PROVIDER_UNAVAILABLE', 'LA_NETWORK', 'LA_POLICY_DENIED'];


function records(n) {
  const random = seededRandom(42);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const start = Date.parse('2026-01-01T00:00:00Z');
  return Array.from({ length: n }, (_, i) => {
    const verb = pick(VERBS);
    const object = pick(OBJECTS);
    const model = pick(MODELS);
    const aiFails = random() < 0.1;
    const shellFails = random() < 0.05;
    const finished = start + i * 60_000;
    const tasks = [
      { id: 'gather', kind: 'shell', status: shellFails ? 'failed' : 'succeeded', success: !shellFails, latency_ms: Math.round(20 + random() * 200), ...(shellFails ? { error_code: pick(ERRORS) } : {}), attempts: 1 },
      {
        id: 'write',
        kind: 'ai',
        title: `${verb} ${object}`,
        status: aiFails ? 'failed' : 'succeeded',
        success: !aiFails,
        model,
        provider: model.split('/')[0],
        latency_ms: Math.round(300 + random() * 4000),
        ...(aiFails ? { error_code: pick(ERRORS) } : { first_token_ms: Math.round(100 + random() * 900), tokens: { input: 400, output: 120 }, cost_usd: 0.0012 }),
        attempts: aiFails ? 3 : 1,
      },
      { id: 'save', kind: 'fs', status: 'succeeded', success: true, latency_ms: Math.round(1 + random() * 10), attempts: 1 },
    ];
    const succeeded = tasks.filter((t) => t.success).length;
    return {
      atlas: 1,
      run_id: `run-bench-${String(i).padStart(7, '0')}`,
      plan_id: `alt-${verb}-${object.replace(/ /g, '-')}`,
      plan_hash: (VERBS.indexOf(verb) * 10 + OBJECTS.indexOf(object)).toString(16).padStart(64, '0'),
      title: `${verb} ${object}`,
      command: `${verb} ${object} for team ${i % 97} and save it`,
      status: succeeded === 3 ? 'success' : 'partial',
      mode: 'normal',
      success_rate: succeeded / 3,
      started_at: new Date(finished - 5000).toISOString(),
      finished_at: new Date(finished).toISOString(),
      duration_ms: 5000,
      tasks,
      totals: { tasks: 3, succeeded, failed: 3 - succeeded, tokens_in: aiFails ? 0 : 400, tokens_out: aiFails ? 0 : 120, cost_usd: aiFails ? 0 : 0.0012 },
      feedback: [],
    };
  });
}

const QUERIES = [
  ['rare word', 'team 42', {}],
  ['common word', 'draft', {}],
  ['phrase', '"release notes"', {}],
  ['prefix', 'summ*', {}],
  ['field', 'error:LA_TIMEOUT', {}],
  ['OR', 'backup OR deploy', {}],
  ['status filter', 'invoices', { status: ['partial'] }],
  ['model filter', 'roadmap', { model: 'ollama/llama3.1:8b' }],
];

async function measure(store, all) {
  const archive = new Archive({ store });
  // Baseline: the same JSON, one row per record, same batches, same transactions.
  await sql`create table bench_baseline (id integer primary key, doc text not null)`.execute(store.db);
  let t0 = performance.now();
  for (let i = 0; i < all.length; i += BATCH) {
    const part = all.slice(i, i + BATCH);
    await store.db.transaction().execute(async (trx) => {
      for (let j = 0; j < part.length; j += 500) {
        await sql`insert into bench_baseline (id, doc) values ${sql.join(part.slice(j, j + 500).map((r, k) => sql`(${i + j + k}, ${JSON.stringify(r)})`))}`.execute(trx);
      }
    });
  }
  const baselineSeconds = (performance.now() - t0) / 1000;

  t0 = performance.now();
  let cpu0 = process.cpuUsage();
  for (let i = 0; i < all.length; i += BATCH) await archive.importRecords(all.slice(i, i + BATCH));
  const ingestSeconds = (performance.now() - t0) / 1000;
  const ingestCpuSeconds = cpuMs(cpu0) / 1000;
  // PostgreSQL plans queries from table statistics and reads index-only only where the visibility
  // map says so; autovacuum brings both up to date shortly after a bulk load, which this does at
  // once, so the queries below run as they would a minute later.
  if (store.dialect === 'postgres') await sql`vacuum analyze`.execute(store.db);

  const searches = [];
  const searchCpu = [];
  const perQuery = {};
  for (const [, query, options] of QUERIES) await archive.search(query, options); // warm-up
  for (let round_ = 0; round_ < 25; round_ += 1) {
    for (const [name, query, options] of QUERIES) {
      const s0 = performance.now();
      cpu0 = process.cpuUsage();
      const hits = await archive.search(query, options);
      const ms = performance.now() - s0;
      searchCpu.push(cpuMs(cpu0));
      if (hits.length === 0) throw new Error(`search "${query}" found nothing`);
      searches.push(ms);
      (perQuery[name] ??= []).push(ms);
    }
  }
  const newest = Date.parse(all.at(-1).finished_at);
  const windows = { all: undefined, since_7d: new Date(newest - 7 * 86_400_000).toISOString(), since_30d: new Date(newest - 30 * 86_400_000).toISOString() };
  const stats = {};
  for (const [window, since] of Object.entries(windows)) {
    stats[window] = {};
    for (const by of ['model', 'kind', 'plan', 'day']) {
      const options = since === undefined ? {} : { since };
      await archive.statistics(by, options);
      const times = [];
      const cpu = [];
      for (let r = 0; r < 7; r += 1) {
        const s0 = performance.now();
        cpu0 = process.cpuUsage();
        const report = await archive.statistics(by, options);
        times.push(performance.now() - s0);
        cpu.push(cpuMs(cpu0));
        if (report.rows.length === 0) throw new Error(`stats by ${by} (${window}) is empty`);
      }
      stats[window][by] = { p50_ms: round(median(times), 1), max_ms: round(Math.max(...times), 1), cpu_p50_ms: round(median(cpu), 1) };
    }
  }
  return {
    ingest_records_per_s: Math.round(all.length / ingestSeconds),
    baseline_records_per_s: Math.round(all.length / baselineSeconds),
    ingest_s: round(ingestSeconds, 2),
    // This process's CPU time: on SQLite (in-process) what the work costs however busy the machine
    // is; on PostgreSQL only the client's share (the server's work is in another process).
    ingest_records_per_cpu_s: Math.round(all.length / ingestCpuSeconds),
    search_cpu_p95_ms: round(quantile(searchCpu, 0.95), 2),
    search_p50_ms: round(quantile(searches, 0.5), 2),
    search_p95_ms: round(quantile(searches, 0.95), 2),
    search_p95_by_query_ms: Object.fromEntries(Object.entries(perQuery).map(([k, v]) => [k, round(quantile(v, 0.95), 2)])),
    stats_ms: stats,
  };
}

/** Milliseconds of CPU (user + system) this process used since `from`. */
function cpuMs(from) {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}

async function postgresSchema() {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const schema = `la_bench_${randomBytes(4).toString('hex')}`;
    await client.query(`create schema ${schema}`);
    return { schema, drop: async () => client.query(`drop schema ${schema} cascade`).finally(() => client.end()) };
  } catch (error) {
    await client.end().catch(() => undefined);
    return { unavailable: error instanceof Error ? error.message : String(error) };
  }
}

export async function run() {
  const all = records(N);
  const dir = await mkdtemp(join(tmpdir(), 'la-bench-archive-'));
  const details = { records: N, tasks_per_record: 3, batch: BATCH, load_average: loadavg().map((l) => round(l, 1)) };
  try {
    const store = await openStore({ file: join(dir, 'localagent.db') });
    try {
      details.sqlite = await measure(store, all);
    } finally {
      await store.close();
    }
    const target = await postgresSchema();
    if (target.unavailable) {
      details.postgres = `not measured: ${PG_URL.replace(/:[^:@/]*@/, ':***@')} did not answer (${target.unavailable})`;
    } else {
      const pgStore = await openStore({ url: PG_URL, schema: target.schema });
      try {
        details.postgres = await measure(pgStore, all);
      } finally {
        await pgStore.close();
        await target.drop();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const s = details.sqlite;
  const pass = s.ingest_records_per_s >= 20_000 && s.search_p95_ms <= 20 && Object.values(s.stats_ms.all).every((t) => t.p50_ms <= 50);
  return {
    name: 'archive',
    unit: 'records/s ingested on SQLite (baseline: the same JSON into a one-column table)',
    baseline: s.baseline_records_per_s,
    subject: s.ingest_records_per_s,
    ratio: round(s.ingest_records_per_s / s.baseline_records_per_s, 2),
    target: 'SQLite: ≥ 20,000 records/s ingest in batches, search p95 ≤ 20 ms, stats ≤ 50 ms by model, kind, plan and day (100,000 records)',
    pass,
    details,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
