import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Archive, STATS_GROUPINGS } from '../../src/archive/index.js';
import { openStore } from '../../src/store/index.js';
import { compileForChild, type ChildBuild } from '../support/compileForChild.js';
import { useTempDirs } from '../support/tempDir.js';
import { bruteForceStats, comparableStats } from './bruteForceStats.js';

/**
 * Several processes write one SQLite archive at the same time (a run finishing in one terminal, an
 * import in another, model calls in a server): every write must land, none twice. PostgreSQL's
 * pooled connections are covered in src/archive/Archive.test.ts.
 */
const tempDir = useTempDirs();
let build: ChildBuild;

beforeAll(async () => {
  build = await compileForChild(['core', 'formats', 'store', 'archive']);
}, 60_000);
afterAll(async () => {
  await build.cleanup();
});

const WRITER = `
import { openStore } from './store/index.js';
import { Archive } from './archive/index.js';

const [file, prefix] = process.argv.slice(2);
function record(runId) {
  return {
    atlas: 1, run_id: runId, plan_id: 'alt-x', plan_hash: 'e'.repeat(64), title: 'concurrent ' + prefix, status: 'success', mode: 'normal',
    success_rate: 1, started_at: '2026-03-01T00:00:00.000Z', finished_at: '2026-03-01T00:00:01.000Z', duration_ms: 1000,
    tasks: [{ id: 'a', kind: 'ai', status: 'succeeded', success: true, model: 'm', latency_ms: 5, attempts: 1 }],
    totals: { tasks: 1, succeeded: 1, failed: 0, tokens_in: 0, tokens_out: 0, cost_usd: 0 },
    feedback: [{ rating: 5, at: '2026-03-01T00:00:02.000Z', comment: 'shared' }],
  };
}
const store = await openStore({ file, busyTimeoutMs: 20000 });
const archive = new Archive({ store });
const stats = await archive.modelStats({ window: 1000, maxAgeDays: 30 });
for (let batch = 0; batch < 10; batch += 1) {
  await archive.importRecords(Array.from({ length: 20 }, (_, i) => record(prefix + '-' + batch + '-' + i)));
  await archive.importRecords([record('shared')]);
  for (let k = 0; k < 20; k += 1) stats.record({ model: 'm', taskKind: 'ai', success: true, latencyMs: 1, inputTokens: 0, outputTokens: 0, costUsd: 0, at: new Date() });
  await stats.flush();
}
await archive.close();
await store.close();
`;

function run(script: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('the archive with several writing processes on one SQLite file', () => {
  it('keeps every record and every model call, a record imported by all of them once, and exact statistics', { timeout: 60_000 }, async () => {
    const file = join(await tempDir(), 'localagent.db');
    // Created (and migrated) first, as the app would, so the writers race on data, not on the schema.
    await (await openStore({ file })).close();
    const script = await build.script('archive-writer.mjs', WRITER);
    const results = await Promise.all(['p1', 'p2', 'p3'].map((prefix) => run(script, [file, prefix])));
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0 });
    const store = await openStore({ file });
    try {
      const count = async (table: string): Promise<number> => Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(store.db)).rows[0]?.n);
      expect(await count('atlas_runs')).toBe(3 * 10 * 20 + 1);
      expect(await count('atlas_tasks')).toBe(3 * 10 * 20 + 1);
      // Every feedback entry has the same content per run: stored once per run.
      expect(await count('atlas_feedback')).toBe(3 * 10 * 20 + 1);
      expect(await count('model_calls')).toBe(3 * 10 * 20);
      const hits = await sql<{ n: number }>`select count(*) as n from atlas_fts where atlas_fts match 'concurrent'`.execute(store.db);
      expect(Number(hits.rows[0]?.n)).toBe(3 * 10 * 20 + 1);
      // The statistics each process kept up to date add up to what the stored rows say.
      const archive = new Archive({ store });
      for (const by of STATS_GROUPINGS) expect(comparableStats((await archive.statistics(by)).rows), by).toEqual(comparableStats(await bruteForceStats(store.db, by)));
    } finally {
      await store.close();
    }
  });
});
