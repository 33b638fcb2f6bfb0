// The run journal on PostgreSQL (RunStore.append, what the runner uses) against the least a durable
// journal write can cost on the same server: one INSERT in its own transaction from a bare pg
// client, measured in the same run.
//
// Workloads, on a fresh schema each round:
//   commit  — 1,000 appends to one run, each awaited before the next: one transaction per event,
//             the worst case (a deep chain of tasks commits once per task). Baseline: the bare
//             client inserting the same rows (seq computed by the client), one statement each.
//   batch   — 10,000 appends queued in ticks of 100: one transaction per tick (a wide plan).
//   two     — two RunStores (two pools, as two processes would be) appending 500 events each to one
//             run at the same time, in ticks of 10; checks that no event is lost or numbered twice.
// The same workloads on SQLite (WAL, synchronous=NORMAL, native writer) are reported for reference.
// Server: LOCALAGENT_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); without
// a reachable server the benchmark reports itself skipped.
//
// Target: RunStore's commit ≤ 1.5 × the bare INSERT's, and nothing lost with two writers.
// Needs a build: npx tsc -p tsconfig.build.json (npm run bench does it).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { RunStore } from '../dist/store/index.js';
import { median, round } from './stats.mjs';

const URL_ = process.env.LOCALAGENT_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const COMMITS = 1000;
const BATCH_EVENTS = 10_000;
const BATCH_TICK = 100;
const EACH = 500;

const newRun = (id) => ({ id, planId: 'p', planHash: 'h'.repeat(64), plan: {}, title: 'bench', workspace: '/', seed: 1, inputs: {}, concurrency: 1 });

async function admin(statement) {
  const client = new pg.Client({ connectionString: URL_, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * A bare pg client inserting one event per autocommitted statement (seq computed by the client):
 * the least a durable journal write costs on the server. Returns a function doing one such write.
 */
async function bareClient(schema) {
  const client = new pg.Client({ connectionString: URL_, options: `-c search_path=${schema}` });
  await client.connect();
  const at = new Date().toISOString();
  await client.query(
    `insert into runs (id, plan_id, plan_hash, plan, title, status, workspace, seed, inputs, concurrency, created_at, updated_at) values ('bare', 'p', 'h', '{}', 't', 'running', '/', 1, '{}', 1, $1, $1)`,
    [at],
  );
  let seq = 0;
  return {
    insert: (i) => client.query('insert into run_events (run_id, seq, at, type, task_id, attempt, data) values ($1, $2, $3, $4, $5, $6, $7)', ['bare', (seq += 1), at, 'e', null, null, JSON.stringify({ i })]),
    close: () => client.end(),
  };
}

async function workloads(open, bare) {
  const out = {};
  const store = await open();
  await store.createRun(newRun('commit'));
  // Interleaved with the bare writes, one each in turn, so a change in the machine's load hits both.
  let storeMs = 0;
  let bareMs = 0;
  for (let i = 0; i < COMMITS; i += 1) {
    let t = performance.now();
    await store.append({ runId: 'commit', type: 'e', data: { i } });
    storeMs += performance.now() - t;
    if (bare) {
      t = performance.now();
      await bare.insert(i);
      bareMs += performance.now() - t;
    }
  }
  out.commit_us_per_event = round((storeMs * 1000) / COMMITS, 1);
  if (bare) out.bare_us_per_event = round((bareMs * 1000) / COMMITS, 1);

  await store.createRun(newRun('batch'));
  let t0 = performance.now();
  for (let i = 0; i < BATCH_EVENTS; i += BATCH_TICK) {
    const tick = [];
    for (let j = 0; j < BATCH_TICK; j += 1) tick.push(store.enqueue({ runId: 'batch', type: 'e', data: { i: i + j } }));
    await Promise.all(tick);
  }
  out.batch_us_per_event = round(((performance.now() - t0) * 1000) / BATCH_EVENTS, 1);

  await store.createRun(newRun('two'));
  const other = await open();
  t0 = performance.now();
  await Promise.all(
    [store, other].map(async (s, n) => {
      for (let i = 0; i < EACH; i += 10) {
        const tick = [];
        for (let j = 0; j < 10; j += 1) tick.push(s.enqueue({ runId: 'two', type: 'e', data: { n, i: i + j } }));
        await Promise.all(tick);
      }
    }),
  );
  out.two_writers_ms = round(performance.now() - t0, 1);
  const events = await store.events('two');
  out.two_writers_lost = 2 * EACH - new Set(events.map((e) => `${e.data.n}:${e.data.i}`)).size;
  out.two_writers_seq_ok = events.every((e, i) => e.seq === i + 1);
  await other.close();
  await store.close();
  return out;
}

export async function run({ rounds = 3 } = {}) {
  try {
    await admin('select 1');
  } catch (error) {
    return {
      name: 'store',
      baseline: 0,
      subject: 0,
      ratio: 0,
      target: 'RunStore commit ≤ 1.5 × a bare INSERT on the same server; nothing lost or numbered twice with two writers',
      pass: true,
      details: { skipped: `PostgreSQL not reachable (${error.message}); set LOCALAGENT_BENCH_DATABASE_URL` },
    };
  }
  const sqlite = [];
  const postgres = [];
  for (let r = 0; r < rounds; r += 1) {
    const dir = await mkdtemp(join(tmpdir(), 'la-bench-store-'));
    try {
      sqlite.push(await workloads(() => RunStore.open({ file: join(dir, 'localagent.db') })));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const schema = `la_bench_${randomBytes(5).toString('hex')}`;
    await admin(`create schema ${schema}`);
    try {
      // The schema's tables exist once a store has opened it.
      await (await RunStore.open({ url: URL_, schema })).close();
      const client = await bareClient(schema);
      try {
        postgres.push(await workloads(() => RunStore.open({ url: URL_, schema }), client));
      } finally {
        await client.close();
      }
    } finally {
      await admin(`drop schema ${schema} cascade`);
    }
  }
  const pick = (list, key) => median(list.map((m) => m[key]));
  const summary = (list) => ({
    commit_us_per_event: pick(list, 'commit_us_per_event'),
    batch_us_per_event: pick(list, 'batch_us_per_event'),
    two_writers_ms: pick(list, 'two_writers_ms'),
    lost: Math.max(...list.map((m) => m.two_writers_lost)),
    seq_ok: list.every((m) => m.two_writers_seq_ok),
  });
  const s = summary(sqlite);
  const p = summary(postgres);
  const b = pick(postgres, 'bare_us_per_event');
  return {
    name: 'store',
    unit: 'µs per journal event committed on PostgreSQL, one event per transaction (median of rounds)',
    baseline: b,
    subject: p.commit_us_per_event,
    ratio: round(p.commit_us_per_event / b, 2),
    target: 'RunStore commit ≤ 1.5 × a bare INSERT on the same server; nothing lost or numbered twice with two writers',
    pass: p.commit_us_per_event <= 1.5 * b && p.lost === 0 && s.lost === 0 && p.seq_ok && s.seq_ok,
    details: { rounds, bare_insert_us: b, postgres: p, sqlite: s },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
