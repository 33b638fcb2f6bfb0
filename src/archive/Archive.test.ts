import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeDialects } from '../../test/support/postgres.js';
import { useTempDirs } from '../../test/support/tempDir.js';
import type { FieldCipher } from '../core/crypto/index.js';
import { openStore, type Store } from '../store/index.js';
import { Archive, ArchiveModelStats } from './index.js';
import { sampleLast, samplePlan, sampleRecord, storeRun } from './test-support/samples.js';
import { caught } from '../../test/support/caught.js';

const tempDir = useTempDirs();

/** A reversible stand-in for the AES cipher: what matters here is that stored text is not plain. */
const testCipher: FieldCipher = {
  seal: (plain) => `sealed:${Buffer.from(plain, 'utf8').toString('base64')}`,
  open: (stored) => (stored.startsWith('sealed:') ? Buffer.from(stored.slice(7), 'base64').toString('utf8') : stored),
  isSealed: (stored) => stored.startsWith('sealed:'),
};

describeDialects('Archive', ({ newDatabase, dialect, openStore: open }) => {
  async function archiveOn(store?: Store, extra: { cipher?: FieldCipher; now?: () => number; runsDir?: string } = {}): Promise<Archive> {
    return new Archive({ store: store ?? (await open()), ...extra });
  }

  it('derives, stores and shows the .atlas record of a finished run, with its plan and command', async () => {
    const store = await open();
    const archive = await archiveOn(store);
    await storeRun(store, sampleLast('run-a'));
    expect(await archive.ingestRun('run-a')).toEqual({ archived: true });
    const shown = await archive.show('run-a');
    expect(shown.source).toBe('run');
    expect(shown.record).toMatchObject({
      atlas: 1,
      run_id: 'run-a',
      command: samplePlan.command,
      status: 'partial',
      success_rate: 0.5,
      totals: { tasks: 4, succeeded: 2, failed: 1, tokens_in: 40, tokens_out: 10, cost_usd: 0.002 },
      feedback: [],
    });
    expect(shown.record.tasks[0]).toEqual({
      id: 'draft',
      kind: 'ai',
      title: 'Draft the notes',
      status: 'succeeded',
      success: true,
      model: 'mock-fast',
      provider: 'mock',
      latency_ms: 1500,
      first_token_ms: 120,
      tokens: { input: 40, output: 10 },
      cost_usd: 0.002,
      attempts: 1,
    });
    expect(shown.record.tasks[2]).toMatchObject({ id: 'post', status: 'failed', success: false, error_code: 'LA_NETWORK', attempts: 2 });
    const plans = await store.db.selectFrom('archive_plans').selectAll().execute();
    expect(plans).toEqual([expect.objectContaining({ hash: 'c'.repeat(64), command: samplePlan.command, title: 'Release notes' })]);
    // Archiving again replaces the record, not adds one.
    expect(await archive.ingestRun('run-a')).toEqual({ archived: true });
    expect(await store.db.selectFrom('atlas_runs').select('run_id').execute()).toHaveLength(1);
    expect(await store.db.selectFrom('atlas_tasks').select('task_id').execute()).toHaveLength(4);
  });

  it('leaves unfinished runs for later and catches up on finished ones nobody archived', async () => {
    const store = await open();
    const archive = await archiveOn(store);
    await storeRun(store, sampleLast('run-wait', { status: 'waiting_approval' }));
    await storeRun(store, sampleLast('run-1', { finishedAt: '2026-03-01T10:00:00.000Z' }));
    await storeRun(store, sampleLast('run-2', { finishedAt: '2026-03-02T10:00:00.000Z', status: 'cancelled' }));
    expect(await archive.ingestRun('run-wait')).toEqual({ archived: false, reason: 'waiting_approval' });
    expect(await archive.ingestRun('nope')).toEqual({ archived: false, reason: 'unknown run' });
    expect(await archive.ingestPending()).toBe(2);
    expect(await archive.ingestPending()).toBe(0);
    expect((await caught(archive.show('run-wait'))).code).toBe('LA_ARCHIVE_RUN_NOT_FINISHED');
    expect((await caught(archive.show('nope'))).code).toBe('LA_RUN_NOT_FOUND');
    // show archives a finished run on the way when nothing did.
    await storeRun(store, sampleLast('run-3', { status: 'failure' }));
    expect((await archive.show('run-3')).record.status).toBe('failure');
  });

  it('searches commands, titles, outputs and errors with one query syntax, newest first, with filters', async () => {
    const store = await open();
    const archive = await archiveOn(store);
    await storeRun(store, sampleLast('run-old', { finishedAt: '2026-01-01T00:00:00.000Z', text: 'the deployment of version 1.2 went well' }));
    await storeRun(store, sampleLast('run-new', { finishedAt: '2026-02-01T00:00:00.000Z', text: 'nothing to report', model: 'mock-slow', status: 'failure' }));
    // One at a time: both results can be saved in the same millisecond, and then catch-up order
    // (saved_at, run_id) would archive run-new first.
    await archive.ingestRun('run-old');
    await archive.ingestRun('run-new');
    const ids = async (query: string, options = {}): Promise<string[]> => (await archive.search(query, options)).map((h) => h.run_id);
    expect(await ids('release notes')).toEqual(['run-new', 'run-old']);
    expect(await ids('deployment')).toEqual(['run-old']);
    expect(await ids('deploy*')).toEqual(['run-old']);
    expect(await ids('"version 1.2"')).toEqual(['run-old']);
    expect(await ids('"1.2 version"')).toEqual([]);
    expect(await ids('report OR deployment')).toEqual(['run-new', 'run-old']);
    expect(await ids('release -deployment')).toEqual(['run-new']);
    expect(await ids('release NOT deployment')).toEqual(['run-new']);
    expect(await ids('error:LA_NETWORK')).toEqual(['run-new', 'run-old']);
    expect(await ids('LA_NETWORK hooks.example.com')).toEqual(['run-new', 'run-old']);
    expect(await ids('command:hook')).toEqual(['run-new', 'run-old']);
    expect(await ids('title:hook')).toEqual([]);
    expect(await ids('title:"draft the notes"')).toEqual(['run-new', 'run-old']);
    expect(await ids('output:quieter')).toEqual(['run-new', 'run-old']);
    expect(await ids('output:release')).toEqual([]);
    expect(await ids('release', { status: ['failure'] })).toEqual(['run-new']);
    expect(await ids('release', { since: '2026-01-15T00:00:00.000Z' })).toEqual(['run-new']);
    expect(await ids('release', { model: 'mock-fast' })).toEqual(['run-old']);
    expect(await ids('release', { limit: 1 })).toEqual(['run-new']);
    const [hit] = await archive.search('deployment');
    expect(hit).toEqual({ run_id: 'run-old', title: 'Release notes', command: samplePlan.command, status: 'partial', finished_at: '2026-01-01T00:00:00.000Z', success_rate: 0.5, tasks: 4, failed: 1, cost_usd: 0.002 });
    expect((await caught(archive.search('-only'))).code).toBe('LA_SEARCH_QUERY_INVALID');
  });

  it('computes statistics per model, kind, plan and day from the stored rows', async () => {
    const store = await open();
    const archive = await archiveOn(store);
    await archive.importRecords([
      sampleRecord('r1', { model: 'good', tasks: 4, failures: 0, finishedAt: '2026-03-01T08:00:00.000Z' }),
      sampleRecord('r2', { model: 'bad', tasks: 5, failures: 2, finishedAt: '2026-03-02T08:00:00.000Z' }),
    ]);
    const byModel = await archive.statistics('model');
    expect(byModel.unit).toBe('tasks');
    expect(byModel.rows).toEqual([
      // bad: 5 tasks, the first 2 failed; successful latencies 300, 400, 500.
      { group: 'bad', count: 5, successes: 3, success_rate: 0.6, latency_p50_ms: 400, latency_p95_ms: 500, tokens_in: 30, tokens_out: 15, cost_usd: expect.closeTo(0.003, 9) as number, rating_mean: null, ratings: 0 },
      // good: latencies 100..400; nearest rank p50 = 2nd = 200, p95 = 4th = 400.
      { group: 'good', count: 4, successes: 4, success_rate: 1, latency_p50_ms: 200, latency_p95_ms: 400, tokens_in: 40, tokens_out: 20, cost_usd: expect.closeTo(0.004, 9) as number, rating_mean: null, ratings: 0 },
    ]);
    expect((await archive.statistics('kind')).rows.map((r) => [r.group, r.count, r.successes])).toEqual([['ai', 9, 7]]);
    expect((await archive.statistics('day')).rows.map((r) => [r.group, r.count])).toEqual([
      ['2026-03-01', 4],
      ['2026-03-02', 5],
    ]);
    const byPlan = await archive.statistics('plan');
    expect(byPlan.unit).toBe('runs');
    expect(byPlan.rows).toEqual([expect.objectContaining({ group: 'd'.repeat(64), label: 'Imported plan', count: 2, successes: 1, latency_p50_ms: 1000 })]);
    expect((await archive.statistics('model', { since: '2026-03-02T00:00:00.000Z' })).rows.map((r) => r.group)).toEqual(['bad']);
  });

  it('refreshes model statistics loaded elsewhere on the same database when feedback arrives', async () => {
    const store = await open();
    const shared = await ArchiveModelStats.load({ db: store.db, window: 50, maxAgeDays: 3650 });
    const archive = new Archive({ store, sharedModelStats: () => shared });
    await storeRun(store, sampleLast('run-s'));
    await archive.feedback('run-s', { rating: 5 });
    expect(shared.get('ai', 'mock-fast').meanRating).toBe(5);
  });

  it('attaches feedback to a run or a task; the record and the statistics see it', async () => {
    let now = Date.parse('2026-03-05T00:00:00Z');
    const store = await open();
    const archive = await archiveOn(store, { now: () => now });
    await storeRun(store, sampleLast('run-f', { finishedAt: '2026-03-04T00:00:00.000Z' }));
    const stats = await archive.modelStats({ window: 50, maxAgeDays: 30 });
    const updated = await archive.feedback('run-f', { rating: 4, comment: 'good notes', by: 'ana' });
    expect(updated.record.feedback).toEqual([{ rating: 4, comment: 'good notes', at: '2026-03-05T00:00:00.000Z', by: 'ana' }]);
    now += 1000;
    await archive.feedback('run-f', { rating: 2, task: 'draft' });
    expect(stats.get('ai', 'mock-fast').meanRating).toBe(3);
    const [row] = (await archive.statistics('model')).rows;
    expect(row).toMatchObject({ group: 'mock-fast', rating_mean: 3, ratings: 2 });
    expect((await archive.show('run-f')).record.feedback.map((f) => f.rating)).toEqual([4, 2]);
    expect((await caught(archive.feedback('run-f', { rating: 6 }))).code).toBe('LA_INPUT_INVALID');
    expect((await caught(archive.feedback('run-f', { rating: 3, task: 'nope' }))).code).toBe('LA_ARCHIVE_TASK_NOT_FOUND');
    expect((await caught(archive.feedback('missing', { rating: 3 }))).code).toBe('LA_RUN_NOT_FOUND');
  });

  it('exports a bundle and imports it elsewhere idempotently, feedback merged', async () => {
    const dir = await tempDir();
    const first = await open();
    const source = await archiveOn(first);
    await storeRun(first, sampleLast('run-x', { finishedAt: '2026-03-01T00:00:00.000Z' }));
    await storeRun(first, sampleLast('run-y', { finishedAt: '2026-03-03T00:00:00.000Z' }));
    await source.ingestPending();
    await source.feedback('run-x', { rating: 5 });
    const file = join(dir, 'all.atlas.jsonl');
    expect(await source.exportBundle(file)).toEqual({ records: 2 });
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { run_id: string }).run_id)).toEqual(['run-x', 'run-y']);
    expect(await source.exportBundle(join(dir, 'recent.atlas.jsonl'), { since: '2026-03-02T00:00:00.000Z' })).toEqual({ records: 1 });

    const target = await archiveOn();
    expect(await target.importBundle(file)).toEqual({ records: 2, added: 2, skipped: 0, feedbackAdded: 1 });
    expect(await target.importBundle(file)).toEqual({ records: 2, added: 0, skipped: 2, feedbackAdded: 0 });
    const shown = await target.show('run-x');
    expect(shown.source).toBe('import');
    expect(shown.record).toEqual((await source.show('run-x')).record);
    // Commands, titles and error codes of imported records are searchable; their outputs never came along.
    expect((await target.search('command:hook')).map((h) => h.run_id)).toEqual(['run-y', 'run-x']);
    expect(await target.search('quieter')).toEqual([]);
  });

  it('imports nothing from a malformed or cut-short bundle, naming the line', async () => {
    const dir = await tempDir();
    const archive = await archiveOn();
    const good = JSON.stringify(sampleRecord('ok-1'));
    const cases: [string, string, RegExp][] = [
      ['cut.atlas.jsonl', `${good}\n${good.slice(0, 40)}`, /line 2: not valid JSON/],
      ['bad.atlas.jsonl', `${good}\n\n${JSON.stringify({ ...sampleRecord('ok-2'), success_rate: 0.1 })}\n`, /line 3: not a valid \.atlas record: success_rate: must be succeeded ÷ total = 2\/2/],
      ['feedback.atlas.jsonl', `${JSON.stringify({ ...sampleRecord('ok-3'), feedback: [{ rating: 5, task: 'ghost', at: '2026-03-01T00:00:00.000Z' }] })}\n`, /line 1: .*feedback\.0\.task: names no task/],
    ];
    for (const [name, text, pattern] of cases) {
      await writeFile(join(dir, name), text);
      const error = await caught(archive.importBundle(join(dir, name), name));
      expect(error.code).toBe('LA_ARCHIVE_IMPORT_INVALID');
      expect(error.message).toMatch(pattern);
      expect(error.message).toContain(name);
    }
    expect((await caught(archive.importBundle(join(dir, 'missing.jsonl'), 'missing.jsonl'))).code).toBe('LA_PATH_NOT_FOUND');
    expect(await archive.search('imported')).toEqual([]);
  });

  it('prunes what finished before the cutoff, runs and their .last files included, never a live run', async () => {
    const dir = await tempDir();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const store = await open();
    const archive = await archiveOn(store, { now: () => now, runsDir: dir });
    const runs = new (await import('../store/index.js')).RunStore(store, { now: () => now });
    for (const id of ['old-1', 'old-live']) {
      await runs.createRun({ id, planId: 'alt-sample', planHash: 'c'.repeat(64), plan: samplePlan, title: 't', workspace: '/w', seed: 1, inputs: {}, concurrency: 1 });
    }
    await runs.saveResult('old-1', sampleLast('old-1', { finishedAt: '2026-01-01T00:00:00.000Z' }));
    await runs.setStatus('old-1', 'partial');
    await writeFile(join(dir, 'old-1.last.json'), '{}\n');
    await archive.ingestPending();
    const stats = await archive.modelStats({ window: 10, maxAgeDays: 365 });
    stats.record({ model: 'm', taskKind: 'ai', success: true, latencyMs: 5, inputTokens: 1, outputTokens: 1, costUsd: 0, at: new Date(now) });
    await stats.flush();
    now = Date.parse('2026-06-01T00:00:00Z');
    await archive.importRecords([sampleRecord('new-1', { finishedAt: '2026-05-31T00:00:00.000Z' })]);
    const report = await archive.prune('2026-03-01T00:00:00.000Z');
    expect(report).toEqual({ before: '2026-03-01T00:00:00.000Z', archivedRuns: 1, runs: 1, modelCalls: 1, plans: 0 });
    expect((await store.db.selectFrom('runs').select('id').execute()).map((r) => r.id)).toEqual(['old-live']);
    expect((await store.db.selectFrom('atlas_runs').select('run_id').execute()).map((r) => r.run_id)).toEqual(['new-1']);
    expect(await archive.search('release')).toEqual([]);
    await expect(readFile(join(dir, 'old-1.last.json'))).rejects.toThrow();
    expect(stats.get('ai', 'm').count).toBe(0);
    expect(await archive.ingestPending()).toBe(0);
  });

  it('seals records and plans with a cipher; search then covers the command, titles and error codes only', async () => {
    const store = await open();
    const archive = await archiveOn(store, { cipher: testCipher });
    await storeRun(store, sampleLast('run-s', { text: 'confidential figures' }));
    await archive.ingestPending();
    const row = await store.db.selectFrom('atlas_runs').select('record').executeTakeFirstOrThrow();
    expect(row.record.startsWith('sealed:')).toBe(true);
    expect((await store.db.selectFrom('archive_plans').select('plan').executeTakeFirstOrThrow()).plan.startsWith('sealed:')).toBe(true);
    expect((await archive.show('run-s')).record.run_id).toBe('run-s');
    expect(await archive.search('confidential')).toEqual([]);
    expect(await archive.search('hooks')).toEqual([]);
    expect((await archive.search('LA_NETWORK')).map((h) => h.run_id)).toEqual(['run-s']);
    expect((await archive.search('release notes')).map((h) => h.run_id)).toEqual(['run-s']);
    // Without the key, the record cannot be read, and the archive says so.
    const blind = await archiveOn(store);
    expect((await caught(blind.show('run-s'))).code).toBe('LA_ARCHIVE_SEALED');
    expect((await caught(blind.exportBundle(join(await tempDir(), 'x.jsonl')))).code).toBe('LA_ARCHIVE_SEALED');
  });

  it('loses no record when several connections archive and record at once', async () => {
    const target = await newDatabase();
    // SQLite connections in one process would wait on each other's locks synchronously; separate
    // processes are covered by test/archive/concurrency.test.ts. PostgreSQL: a pool per archive.
    if (dialect === 'sqlite') return;
    const stores = await Promise.all([openStore(target), openStore(target), openStore(target)]);
    try {
      const archives = stores.map((store) => new Archive({ store }));
      const statsList = await Promise.all(archives.map((a) => a.modelStats({ window: 1000, maxAgeDays: 30 })));
      await Promise.all(
        archives.map(async (archive, i) => {
          for (let batch = 0; batch < 5; batch += 1) {
            await archive.importRecords(Array.from({ length: 20 }, (_, j) => sampleRecord(`p${i}-${batch}-${j}`)));
            // Every archive also imports a shared record: stored once.
            await archive.importRecords([sampleRecord('shared')]);
            for (let k = 0; k < 10; k += 1) statsList[i]?.record({ model: 'm', taskKind: 'ai', success: true, latencyMs: 1, inputTokens: 0, outputTokens: 0, costUsd: 0, at: new Date() });
          }
        }),
      );
      await Promise.all(statsList.map((s) => s.flush()));
      const runs = await sql<{ n: string | number }>`select count(*) as n from atlas_runs`.execute(stores[0]!.db);
      expect(Number(runs.rows[0]?.n)).toBe(3 * 5 * 20 + 1);
      const calls = await sql<{ n: string | number }>`select count(*) as n from model_calls`.execute(stores[0]!.db);
      expect(Number(calls.rows[0]?.n)).toBe(150);
    } finally {
      for (const store of stores) await store.close();
    }
  });
});

describe('Archive on a full SQLite database', () => {
  it('fails an import with a clear error and keeps nothing of it', async () => {
    const store = await openStore({ file: join(await tempDir(), 'la.db') });
    try {
      const archive = new Archive({ store });
      await archive.importRecords([sampleRecord('before')]);
      const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(store.db);
      // The file may grow by only a few pages: a large import cannot fit.
      await sql.raw(`pragma max_page_count = ${(rows[0]?.page_count ?? 0) + 5}`).execute(store.db);
      const big = Array.from({ length: 2000 }, (_, i) => sampleRecord(`big-${i}`, { tasks: 5, title: `Imported plan ${'x'.repeat(200)}` }));
      const error = await caught(archive.importRecords(big));
      expect(error.code).toBe('LA_STORAGE');
      expect(error.message).toMatch(/full/);
      expect((await store.db.selectFrom('atlas_runs').select('run_id').execute()).map((r) => r.run_id)).toEqual(['before']);
    } finally {
      await store.close();
    }
  });
});

describe('Archive on a locked SQLite database', () => {
  it('fails with LA_DB_LOCKED while another process holds the lock, and works once it is released', async () => {
    const file = join(await tempDir(), 'la.db');
    const store = await openStore({ file, busyTimeoutMs: 50 });
    const BetterSqlite3 = (await import('better-sqlite3')).default;
    const other = new BetterSqlite3(file);
    try {
      const archive = new Archive({ store });
      other.prepare('begin immediate').run();
      const error = await caught(archive.importRecords([sampleRecord('r1')]));
      expect(error).toMatchObject({ code: 'LA_DB_LOCKED', category: 'transient' });
      expect(error.message).toContain(file);
      other.prepare('rollback').run();
      expect(await archive.importRecords([sampleRecord('r1')])).toMatchObject({ added: 1 });
      expect(await archive.search('imported')).toHaveLength(1);
    } finally {
      other.close();
      await store.close();
    }
  });
});
