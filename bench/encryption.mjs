// What `security.encrypt_results` costs a run: the same 10,000-task run (wide, concurrency 64,
// each task's output a 256-character text, so the result is ~4 MB of JSON) with results stored in
// the clear (baseline) and encrypted (subject: the .last file and every journal and result value
// in the database sealed with AES-256-GCM). Both use a SQLite file in a temp dir and are measured
// in the same process, interleaved, median of rounds. Also reported: seal and open throughput on
// the final .last JSON, and the size the envelope adds.
//
// Target: encryption adds ≤ 25 % to the run.
// Needs a build: npx tsc -p tsconfig.build.json (npm run bench does it).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validatePlan } from '../dist/formats/index.js';
import { lastFilePath, Runner } from '../dist/runner/index.js';
import { createResultCipher } from '../dist/security/crypto/index.js';
import { RunStore } from '../dist/store/index.js';
import { median, round } from './stats.mjs';

const N = 10_000;
const OUTPUT = 'x'.repeat(256);

const plan = { alt: 1, title: `encrypted ${N}`, tasks: Array.from({ length: N }, (_, i) => ({ id: `t${i}`, kind: 'transform', expr: '1' })) };
const tool = { kind: 'transform', run: async () => OUTPUT };
const allow = { decide: async () => ({ effect: 'allow', reason: 'bench' }) };

async function once(dir, parsed, cipher) {
  const store = await RunStore.open({ file: join(dir, `${cipher ? 'sealed' : 'plain'}.db`), ...(cipher ? { cipher } : {}) });
  try {
    const runner = new Runner({
      store,
      runsDir: join(dir, 'runs'),
      tools: { transform: tool },
      policy: allow,
      limits: { maxOutputBytes: 1 << 20, maxReadBytes: 1 << 20, defaultTimeoutMs: 60_000 },
      ...(cipher ? { resultCipher: cipher } : {}),
    });
    const t0 = performance.now();
    const { runId, done } = await runner.start(parsed, { workspace: dir, concurrency: 64 });
    const last = await done;
    const ms = performance.now() - t0;
    if (last.status !== 'success') throw new Error(`run ended ${last.status}`);
    return { ms, last, bytes: (await stat(lastFilePath(join(dir, 'runs'), runId))).size };
  } finally {
    await store.close();
  }
}

export async function run({ rounds = 5 } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'la-bench-encryption-'));
  const cipher = createResultCipher({ key: randomBytes(32) });
  const parsed = validatePlan(plan);
  const plain = [];
  const sealed = [];
  let sizes;
  let json;
  try {
    await once(dir, parsed, undefined); // warm-up: JIT, SQLite page cache
    await once(dir, parsed, cipher);
    for (let r = 0; r < rounds; r += 1) {
      const a = await once(dir, parsed, undefined);
      const b = await once(dir, parsed, cipher);
      plain.push(a.ms);
      sealed.push(b.ms);
      sizes = { plain_last_bytes: a.bytes, sealed_last_bytes: b.bytes };
      json = JSON.stringify(b.last);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const text = cipher.seal(json);
  const sealTimes = [];
  const openTimes = [];
  for (let i = 0; i < 10; i += 1) {
    let t = performance.now();
    const s = cipher.seal(json);
    sealTimes.push(performance.now() - t);
    t = performance.now();
    cipher.open(s);
    openTimes.push(performance.now() - t);
  }
  const mb = Buffer.byteLength(json) / 1e6;
  const b = median(plain);
  const s = median(sealed);
  const ratio = s / b;
  return {
    name: 'encryption',
    unit: `ms for a ${N}-task run with ~${round(mb, 1)} MB of results (median of rounds)`,
    baseline: round(b, 1),
    subject: round(s, 1),
    ratio: round(ratio, 2),
    target: '≤ 150 µs added per task (10,000 no-op tasks, every journal value and the result sealed)',
    pass: (s - b) * 1000 / N <= 150,
    details: {
      tasks: N,
      rounds,
      overhead_us_per_task: round(((s - b) * 1000) / N, 1),
      seal_mb_per_s: round(mb / (median(sealTimes) / 1000), 0),
      open_mb_per_s: round(mb / (median(openTimes) / 1000), 0),
      envelope_growth: round(text.length / json.length, 3),
      ...sizes,
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
