// Per-task overhead of the runner (scheduler + durable journal on a SQLite file + .last writer)
// against a bare Promise-based loop over the same DAG, measured in the same run.
//
// Shapes, 10,000 no-op tasks each:
//   wide — no needs at all, concurrency 64: the journal batches each wave's events in one commit;
//   deep — one chain (each task needs the previous one): nothing can overlap, so every task pays
//          one journal commit (its task_started, together with the previous task's task_succeeded)
//          before its tool may start. This is the worst case for a durable journal.
// Both sides use the same concurrency and await a no-op async tool per task. The subject is timed
// from `runner.start()` to `done` resolving: creating the run, the lease, every journal commit,
// building and validating the .last (10,000 tasks, 10,000 edges), writing it atomically and saving
// it to the database. Plan validation (done once by `localagent validate`/`run` before starting) is
// reported separately, not counted.
//
// Targets: ≤ 50 µs added per task, and 10,000 tasks done in ≤ 1 s, for both shapes.
// Needs a build: npx tsc -p tsconfig.build.json (npm run bench does it).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validatePlan } from '../dist/formats/index.js';
import { Runner } from '../dist/runner/index.js';
import { RunStore } from '../dist/store/index.js';
import { median, round } from './stats.mjs';

const N = 10_000;

function shapePlan(shape, n) {
  const tasks = Array.from({ length: n }, (_, i) => ({
    id: `t${i}`,
    kind: 'transform',
    expr: '1',
    ...(shape === 'deep' && i > 0 ? { needs: [`t${i - 1}`] } : {}),
  }));
  return { alt: 1, title: `${shape} ${n}`, tasks };
}

/** The baseline: a minimal DAG loop — counts of unfinished needs, a ready list, a concurrency limit, one awaited no-op per task. */
function bareLoop(plan, concurrency, noop) {
  const tasks = plan.tasks;
  const index = new Map(tasks.map((t, i) => [t.id, i]));
  const remaining = tasks.map((t) => (t.needs ?? []).length);
  const dependents = tasks.map(() => []);
  tasks.forEach((t, i) => (t.needs ?? []).forEach((id) => dependents[index.get(id)].push(i)));
  const ready = [];
  remaining.forEach((r, i) => r === 0 && ready.push(i));
  let active = 0;
  let done = 0;
  return new Promise((resolve) => {
    const pump = () => {
      while (active < concurrency && ready.length > 0) {
        const i = ready.shift();
        active += 1;
        noop(tasks[i]).then(() => {
          active -= 1;
          done += 1;
          for (const d of dependents[i]) if (--remaining[d] === 0) ready.push(d);
          if (done === tasks.length) resolve();
          else pump();
        });
      }
    };
    pump();
  });
}

const noopTool = { kind: 'transform', run: async () => undefined };
const allow = { decide: async () => ({ effect: 'allow', reason: 'bench' }) };

async function once(shape, concurrency, dir, store, parsed) {
  const runner = new Runner({
    store,
    runsDir: join(dir, 'runs'),
    tools: { transform: noopTool },
    policy: allow,
    limits: { maxOutputBytes: 1 << 20, maxReadBytes: 1 << 20, defaultTimeoutMs: 60_000 },
  });
  const t0 = performance.now();
  await bareLoop(parsed.plan, concurrency, noopTool.run);
  const baseline = performance.now() - t0;
  const t1 = performance.now();
  const { done } = await runner.start(parsed, { workspace: dir, concurrency });
  const last = await done;
  const subject = performance.now() - t1;
  if (last.status !== 'success' || last.totals.succeeded !== N) throw new Error(`${shape}: run ended ${last.status}`);
  return { baseline, subject };
}

export async function run({ rounds = 5 } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'la-bench-runner-'));
  const store = await RunStore.open({ file: join(dir, 'localagent.db') });
  const shapes = {};
  try {
    for (const [shape, concurrency] of [
      ['wide', 64],
      ['deep', 1],
    ]) {
      const v0 = performance.now();
      const parsed = validatePlan(shapePlan(shape, N));
      const validateMs = performance.now() - v0;
      await once(shape, concurrency, dir, store, parsed); // warm-up: JIT, SQLite page cache
      const baseline = [];
      const subject = [];
      for (let r = 0; r < rounds; r += 1) {
        const m = await once(shape, concurrency, dir, store, parsed);
        baseline.push(m.baseline);
        subject.push(m.subject);
      }
      const b = median(baseline);
      const s = median(subject);
      shapes[shape] = {
        concurrency,
        baseline_ms: round(b, 1),
        subject_ms: round(s, 1),
        subject_ms_max: round(Math.max(...subject), 1),
        overhead_us_per_task: round(((s - b) * 1000) / N, 1),
        validate_plan_ms: round(validateMs, 1),
      };
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
  const worst = shapes.deep.overhead_us_per_task >= shapes.wide.overhead_us_per_task ? shapes.deep : shapes.wide;
  const pass = Object.values(shapes).every((s) => s.overhead_us_per_task <= 50 && s.subject_ms <= 1000);
  return {
    name: 'runner',
    unit: 'ms for 10,000 no-op tasks (median of rounds), worst shape',
    baseline: worst.baseline_ms,
    subject: worst.subject_ms,
    ratio: round(worst.subject_ms / worst.baseline_ms, 1),
    target: '≤ 50 µs overhead per task and ≤ 1 s per 10,000-task run, wide and deep, journal on',
    pass,
    details: { tasks: N, rounds, ...shapes, journal: 'SQLite file, WAL, synchronous=NORMAL, temp dir' },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
