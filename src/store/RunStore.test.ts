import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { useTempDirs } from '../../test/support/tempDir.js';
import { LocalAgentError, StorageError } from '../core/errors/index.js';
import { RunStore, currentOwner, openStore, processAlive, type NewRun, type RunStoreOptions } from './index.js';

const tempDir = useTempDirs();

async function caught(promise: Promise<unknown>): Promise<LocalAgentError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LocalAgentError) return error;
    throw error;
  }
  throw new Error('expected a LocalAgentError');
}

function newRun(id: string, extra: Partial<NewRun> = {}): NewRun {
  return { id, planId: 'plan-1', planHash: 'a'.repeat(64), plan: { alt: 1, title: 't', tasks: [] }, title: 'A plan', workspace: '/w', seed: 7, inputs: { x: 1 }, concurrency: 2, ...extra };
}

async function open(options: RunStoreOptions & { journalWrites?: 'native' | 'kysely' } = {}): Promise<RunStore> {
  return RunStore.open({ file: join(await tempDir(), 'la.db'), ...options });
}

describe('RunStore: runs and results', () => {
  it('creates, reads, lists (newest first, by status, limited) and updates runs', async () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const store = await open({ now: () => now });
    const created = await store.createRun(newRun('r1'));
    expect(created).toMatchObject({ id: 'r1', status: 'pending', seed: 7, inputs: { x: 1 }, owner: undefined, createdAt: '2025-01-01T00:00:00.000Z' });
    now += 1000;
    await store.createRun(newRun('r2', { status: 'running' }));
    now += 1000;
    await store.createRun(newRun('r3'));
    expect(await store.getRun('r2')).toMatchObject({ id: 'r2', plan: { alt: 1, title: 't', tasks: [] }, concurrency: 2, status: 'running' });
    expect(await store.getRun('nope')).toBeUndefined();
    expect((await store.listRuns()).map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
    expect((await store.listRuns({ limit: 2 })).map((r) => r.id)).toEqual(['r3', 'r2']);
    expect((await store.listRuns({ status: 'running' })).map((r) => r.id)).toEqual(['r2']);
    expect((await store.listRuns({ status: ['running', 'pending'] })).map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
    expect(await store.listRuns({ status: [] })).toEqual([]);
    const [summary] = await store.listRuns({ limit: 1 });
    expect(summary).not.toHaveProperty('plan');
    expect(summary).not.toHaveProperty('inputs');
    now += 1000;
    await store.setStatus('r1', 'success');
    expect(await store.getRun('r1')).toMatchObject({ status: 'success', updatedAt: '2025-01-01T00:00:03.000Z' });
    await store.close();
  });

  it('saves a result and replaces it', async () => {
    const store = await open();
    await store.createRun(newRun('r1'));
    expect(await store.getResult('r1')).toBeUndefined();
    await store.saveResult('r1', { status: 'waiting_approval', n: 1 } as { status: string });
    await store.saveResult('r1', { status: 'success', n: 2 } as { status: string });
    expect(await store.getResult('r1')).toEqual({ status: 'success', n: 2 });
    await store.close();
  });
});

describe('RunStore: the journal', () => {
  for (const journalWrites of ['native', 'kysely'] as const) {
    it(`numbers events per run and commits a tick's appends in one transaction (${journalWrites})`, async () => {
      const store = await open({ journalWrites });
      await store.createRun(newRun('a'));
      await store.createRun(newRun('b'));
      const appendEvents = vi.spyOn(store.store, 'appendEvents');
      const appendEventsNow = store.store.appendEventsNow ? vi.spyOn(store.store, 'appendEventsNow') : undefined;
      const [first] = await Promise.all([
        Promise.all([
          store.append({ runId: 'a', type: 'one', taskId: 't1', attempt: 1, data: { x: [1, 2] } }),
          store.append({ runId: 'b', type: 'one' }),
          store.append({ runId: 'a', type: 'two', dataJson: '{"pre":true}' }),
        ]),
        store.enqueue({ runId: 'a', type: 'three' }),
      ]);
      expect(first.map((e) => [e.runId, e.seq, e.type])).toEqual([
        ['a', 1, 'one'],
        ['b', 1, 'one'],
        ['a', 2, 'two'],
      ]);
      expect(first[0]).toMatchObject({ taskId: 't1', attempt: 1, data: { x: [1, 2] } });
      // One transaction for the whole tick, whichever path wrote it.
      expect(appendEvents.mock.calls.length + (appendEventsNow?.mock.calls.length ?? 0)).toBe(1);
      await store.append({ runId: 'a', type: 'four' });
      const events = await store.events('a');
      expect(events.map((e) => [e.seq, e.type])).toEqual([
        [1, 'one'],
        [2, 'two'],
        [3, 'three'],
        [4, 'four'],
      ]);
      expect(events[0]).toMatchObject({ taskId: 't1', attempt: 1, data: { x: [1, 2] } });
      expect(events[1]?.data).toEqual({ pre: true });
      expect(events[2]).toMatchObject({ taskId: undefined, attempt: undefined, data: undefined });
      expect((await store.events('a', { afterSeq: 2 })).map((e) => e.seq)).toEqual([3, 4]);
      await store.close();
    });
  }

  for (const journalWrites of ['native', 'kysely'] as const) {
    it(`gives events another connection appends to the same run (a cancel request from another process) their own seqs (${journalWrites})`, async () => {
      const file = join(await tempDir(), 'la.db');
      const owner = await RunStore.open({ file, journalWrites });
      const other = await RunStore.open({ file, journalWrites });
      await owner.createRun(newRun('a'));
      await Promise.all([owner.append({ runId: 'a', type: 'one' }), owner.enqueue({ runId: 'a', type: 'two' })]);
      expect(await other.append({ runId: 'a', type: 'request' })).toMatchObject({ seq: 3 });
      await Promise.all([owner.enqueue({ runId: 'a', type: 'three' }), other.enqueue({ runId: 'a', type: 'again' }), owner.enqueue({ runId: 'a', type: 'four' })]);
      const events = await owner.events('a');
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(events.slice(0, 3).map((e) => e.type)).toEqual(['one', 'two', 'request']);
      expect(events.map((e) => e.type).sort()).toEqual(['again', 'four', 'one', 'request', 'three', 'two']);
      await other.close();
      await owner.close();
    });
  }

  it('finds the next event of a type after a seq, looking at each event once', async () => {
    const store = await open();
    await store.createRun(newRun('a'));
    await store.createRun(newRun('b'));
    expect(await store.nextEventOfType('a', 'stop', 0)).toEqual({ lastSeq: 0, event: undefined });
    await store.append({ runId: 'a', type: 'go' });
    await store.append({ runId: 'b', type: 'stop' });
    const none = await store.nextEventOfType('a', 'stop', 0);
    expect(none).toEqual({ lastSeq: 1, event: undefined });
    await store.append({ runId: 'a', type: 'stop', data: { reason: 'r' } });
    await store.append({ runId: 'a', type: 'go' });
    const found = await store.nextEventOfType('a', 'stop', none.lastSeq);
    expect(found).toEqual({ lastSeq: 3, event: { runId: 'a', seq: 2, at: expect.any(String) as string, type: 'stop', taskId: undefined, attempt: undefined, data: { reason: 'r' } } });
    expect(await store.nextEventOfType('a', 'stop', found.lastSeq)).toEqual({ lastSeq: 3, event: undefined });
    await store.close();
  });

  it('keeps appending through Kysely while a Kysely transaction holds the connection, in order', async () => {
    const store = await open();
    await store.createRun(newRun('a'));
    let inside: Promise<unknown> | undefined;
    await store.store.db.transaction().execute(async (trx) => {
      await trx.selectFrom('runs').selectAll().execute();
      inside = store.append({ runId: 'a', type: 'during' });
      await new Promise((resolve) => setImmediate(resolve));
    });
    const after = store.append({ runId: 'a', type: 'after' });
    await Promise.all([inside, after]);
    expect((await store.events('a')).map((e) => e.type)).toEqual(['during', 'after']);
    await store.close();
  });

  it('refuses every later append of a run once one of its commits failed', async () => {
    const store = await open();
    await store.createRun(newRun('a'));
    await store.createRun(newRun('b'));
    const boom = new StorageError({ message: 'disk full' });
    const now = vi.spyOn(store.store, 'appendEventsNow').mockImplementationOnce(() => {
      throw boom;
    });
    await expect(store.append({ runId: 'a', type: 'x' })).rejects.toBe(boom);
    now.mockRestore();
    await expect(store.append({ runId: 'a', type: 'y' })).rejects.toBe(boom);
    await expect(store.enqueue({ runId: 'a', type: 'y' })).rejects.toBe(boom);
    // Other runs are not affected.
    await expect(store.append({ runId: 'b', type: 'z' })).resolves.toMatchObject({ seq: 1 });
    expect(await store.events('a')).toEqual([]);
    await store.close();
  });

  it('refuses appends of a run that broke while its events waited for the connection', async () => {
    const store = await open({ journalWrites: 'kysely' });
    await store.createRun(newRun('a'));
    const boom = new StorageError({ message: 'disk full' });
    vi.spyOn(store.store, 'appendEvents').mockRejectedValueOnce(boom);
    const first = store.append({ runId: 'a', type: 'x' });
    first.catch(() => undefined); // checked below; it fails while this test waits a tick
    await new Promise((resolve) => setImmediate(resolve));
    const second = store.append({ runId: 'a', type: 'y' });
    await expect(first).rejects.toBe(boom);
    await expect(second).rejects.toBe(boom);
    await store.close();
  });

  it('refuses data that is not JSON, and everything once closed', async () => {
    const store = await open();
    await store.createRun(newRun('a'));
    const error = await caught(store.append({ runId: 'a', type: 'x', data: { n: 1n } }));
    expect(error.code).toBe('LA_STORAGE');
    await expect(store.enqueue({ runId: 'a', type: 'x', data: { n: 1n } })).rejects.toThrow(/serialising/);
    await store.close();
    await store.close();
    await expect(store.append({ runId: 'a', type: 'x' })).rejects.toThrow(/closed/);
    await expect(store.getRun('a')).rejects.toThrow(/closed/);
  });

  it('keeps the database open on close when it was handed an open store', async () => {
    const opened = await openStore({ file: join(await tempDir(), 'la.db') });
    const store = new RunStore(opened);
    await store.createRun(newRun('a'));
    await store.close();
    expect(await opened.db.selectFrom('runs').select('id').execute()).toEqual([{ id: 'a' }]);
    await opened.close();
  });
});

describe('RunStore: leases', () => {
  it('acquires, renews and releases; a live owner keeps others out with LA_RUN_BUSY', async () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const store = await open({ now: () => now, staleAfterMs: 30_000 });
    await store.createRun(newRun('r'));
    const lease = await store.acquire('r', { pid: process.pid, host: hostname() });
    expect(lease).toMatchObject({ runId: 'r', pid: process.pid, host: hostname() });
    expect((await store.getRun('r'))?.owner).toEqual({ pid: process.pid, host: hostname(), heartbeatAt: '2025-01-01T00:00:00.000Z' });
    now += 20_000;
    await store.heartbeat(lease);
    now += 20_000;
    const busy = await caught(store.acquire('r', { pid: 1234, host: 'elsewhere' }));
    expect(busy.code).toBe('LA_RUN_BUSY');
    expect(busy.category).toBe('transient');
    expect(busy.message).toContain(`pid ${process.pid} on ${hostname()}`);
    await store.release(lease);
    expect((await store.getRun('r'))?.owner).toBeUndefined();
    const next = await store.acquire('r', { pid: 1234, host: 'elsewhere' });
    expect(next.token).not.toBe(lease.token);
    await store.release(lease); // not the holder any more: no effect
    expect((await store.getRun('r'))?.owner?.pid).toBe(1234);
    await store.close();
  });

  it('lets a stale lease (old heartbeat) or a dead process of this host be taken over', async () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const dead = new Set<number>();
    const store = await open({ now: () => now, staleAfterMs: 30_000, processAlive: (pid) => !dead.has(pid) });
    await store.createRun(newRun('r'));
    const other = await store.acquire('r', { pid: 999_001, host: 'another-host' });
    now += 29_000;
    await expect(store.acquire('r')).rejects.toMatchObject({ code: 'LA_RUN_BUSY' });
    now += 2_000;
    const mine = await store.acquire('r');
    const lost = await caught(store.heartbeat(other));
    expect(lost.code).toBe('LA_RUN_LEASE_LOST');
    // Same host, process gone: no need to wait for the heartbeat to go stale.
    const crashed = { pid: 999_002, host: hostname() };
    await store.release(mine);
    await store.acquire('r', crashed);
    await expect(store.acquire('r')).rejects.toMatchObject({ code: 'LA_RUN_BUSY' });
    dead.add(crashed.pid);
    await expect(store.acquire('r')).resolves.toMatchObject({ pid: process.pid });
    await store.close();
  });

  it('lets only one of two racing processes take a free lease', async () => {
    const store = await open();
    await store.createRun(newRun('r'));
    const results = await Promise.allSettled([store.acquire('r', { pid: 1, host: 'a' }), store.acquire('r', { pid: 2, host: 'b' })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'LA_RUN_BUSY' } });
    await store.close();
  });

  it('says so when the run does not exist', async () => {
    const store = await open();
    const error = await caught(store.acquire('nope'));
    expect(error.code).toBe('LA_RUN_NOT_FOUND');
    await store.close();
  });

  it('knows whether a process is alive', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 12_345)).toBe(false);
    expect(currentOwner()).toEqual({ pid: process.pid, host: hostname() });
  });
});
