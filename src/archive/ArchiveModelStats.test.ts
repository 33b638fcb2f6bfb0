import { describe, expect, it } from 'vitest';
import { describeDialects } from '../../test/support/postgres.js';
import type { CallObservation } from '../orchestrator/index.js';
import { openStore } from '../store/index.js';
import { ArchiveModelStats } from './index.js';

const NOW = Date.parse('2026-03-10T00:00:00.000Z');

function call(model: string, success: boolean, latencyMs: number, at = NOW, taskKind = 'ai'): CallObservation {
  return { model, taskKind, success, latencyMs, inputTokens: 3, outputTokens: 2, costUsd: success ? 0.01 : 0, ...(success ? {} : { errorCode: 'LA_TIMEOUT' }), ...(success ? { firstTokenMs: 5 } : {}), at: new Date(at) };
}

describeDialects('ArchiveModelStats', ({ openStore: open }) => {

  it('counts calls at once, stores them, and a later process reads the newest window back', async () => {
    const store = await open();
    const stats = await ArchiveModelStats.load({ db: store.db, window: 4, maxAgeDays: 30, now: () => NOW });
    expect(stats.get('ai', 'm')).toEqual({ model: 'm', taskKind: 'ai', count: 0, successRate: undefined, latencyP50Ms: undefined, latencyP95Ms: undefined, meanCostUsd: undefined });
    // Oldest first: a failure, then successes at 10, 20, 30, 40 ms; the window keeps the last 4.
    stats.record(call('m', false, 999, NOW - 5000));
    for (const [i, latency] of [10, 20, 30, 40].entries()) stats.record(call('m', true, latency, NOW - 4000 + i));
    stats.record(call('m', true, 7, NOW, 'plan'));
    expect(stats.get('ai', 'm')).toMatchObject({ count: 4, successRate: 1, latencyP50Ms: 20, latencyP95Ms: 40, meanCostUsd: 0.01 });
    await stats.close();
    const rows = await store.db.selectFrom('model_calls').selectAll().orderBy('id').execute();
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatchObject({ task_kind: 'ai', model: 'm', success: 0, latency_ms: 999, error_code: 'LA_TIMEOUT', first_token_ms: null });
    expect(rows[1]).toMatchObject({ success: 1, first_token_ms: 5, tokens_in: 3, tokens_out: 2 });

    const later = await ArchiveModelStats.load({ db: store.db, window: 4, maxAgeDays: 30, now: () => NOW });
    expect(later.get('ai', 'm')).toMatchObject({ count: 4, successRate: 1, latencyP50Ms: 20 });
    expect(later.get('plan', 'm')).toMatchObject({ count: 1, latencyP50Ms: 7 });
    const wider = await ArchiveModelStats.load({ db: store.db, window: 10, maxAgeDays: 30, now: () => NOW });
    expect(wider.get('ai', 'm')).toMatchObject({ count: 5, successRate: 0.8 });
    // Too old to count: the window in time.
    const aged = await ArchiveModelStats.load({ db: store.db, window: 10, maxAgeDays: 30, now: () => NOW + 31 * 86_400_000 });
    expect(aged.get('ai', 'm').count).toBe(0);
  });

  it('sees other processes\' calls on refresh, keeping its own calls made meanwhile', async () => {
    const store = await open();
    const mine = await ArchiveModelStats.load({ db: store.db, window: 50, maxAgeDays: 30, now: () => NOW });
    const theirs = await ArchiveModelStats.load({ db: store.db, window: 50, maxAgeDays: 30, now: () => NOW });
    theirs.record(call('shared', false, 1));
    await theirs.flush();
    mine.record(call('shared', true, 10));
    const refreshing = mine.refresh();
    mine.record(call('shared', true, 20));
    await refreshing;
    expect(mine.get('ai', 'shared')).toMatchObject({ count: 3, successRate: 2 / 3 });
    await mine.close();
    await theirs.close();
    expect(await store.db.selectFrom('model_calls').select('id').execute()).toHaveLength(3);
  });

  it('never throws from record: a failed write is logged and the call still counts here', async () => {
    const store = await open();
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (_obj: Record<string, unknown>, msg: string) => warnings.push(msg) };
    const stats = await ArchiveModelStats.load({ db: store.db, window: 10, maxAgeDays: 30, logger });
    await store.close();
    stats.record(call('m', true, 10));
    await stats.flush();
    expect(warnings).toEqual(['could not store model call statistics; they count in this process only']);
    expect(stats.get('ai', 'm').count).toBe(1);
    await stats.close();
    stats.record(call('m', true, 10));
    expect(stats.get('ai', 'm').count).toBe(2);
  });
});

describe('ArchiveModelStats limits', () => {
  it('keeps at most maxSeries series, dropping the least recently used', async () => {
    const store = await openStore({ file: ':memory:' });
    try {
      const stats = await ArchiveModelStats.load({ db: store.db, window: 3, maxAgeDays: 1, maxSeries: 2 });
      stats.record(call('a', true, 1));
      stats.record(call('b', true, 1));
      stats.record(call('a', true, 1));
      stats.record(call('c', true, 1));
      expect([stats.get('ai', 'a').count, stats.get('ai', 'b').count, stats.get('ai', 'c').count]).toEqual([2, 0, 1]);
      await stats.close();
      await expect(ArchiveModelStats.load({ db: store.db, window: 0, maxAgeDays: 1 })).rejects.toMatchObject({ code: 'LA_INTERNAL' });
      await expect(ArchiveModelStats.load({ db: store.db, window: 1, maxAgeDays: 0 })).rejects.toMatchObject({ code: 'LA_INTERNAL' });
    } finally {
      await store.close();
    }
  });
});
