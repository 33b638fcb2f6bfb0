import { hostname } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { describeDialects, type TestDatabase } from '../../test/support/postgres.js';
import type { FieldCipher } from '../core/crypto/index.js';
import { LocalAgentError, StorageError } from '../core/errors/index.js';
import { RunStore, currentOwner, openStore, processAlive, type NewRun, type RunStoreOptions } from './index.js';
import { caught } from '../../test/support/caught.js';

function newRun(id: string, extra: Partial<NewRun> = {}): NewRun {
  return { id, planId: 'plan-1', planHash: 'a'.repeat(64), plan: { alt: 1, title: 't', tasks: [] }, title: 'A plan', workspace: '/w', seed: 7, inputs: { x: 1 }, concurrency: 2, ...extra };
}

type JournalWrites = 'native' | 'kysely';

describeDialects('RunStore', ({ dialect, newDatabase }) => {
  /** A RunStore over `at`; `journalWrites` applies to SQLite (PostgreSQL has the portable writer only). */
  const openAt = (at: TestDatabase, options: RunStoreOptions & { journalWrites?: JournalWrites } = {}): Promise<RunStore> => {
    const { journalWrites, ...rest } = options;
    return at.file !== undefined ? RunStore.open({ ...at, ...rest, journalWrites }) : RunStore.open({ ...at, ...rest });
  };
  const open = async (options: RunStoreOptions & { journalWrites?: JournalWrites } = {}): Promise<RunStore> => openAt(await newDatabase(), options);
  /** The writers this dialect has. */
  const writers: readonly JournalWrites[] = dialect === 'sqlite' ? ['native', 'kysely'] : ['kysely'];

  describe('runs and results', () => {
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

  describe('the journal', () => {
    for (const journalWrites of writers) {
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

    for (const journalWrites of writers) {
      it(`gives events another connection appends to the same run (a cancel request from another process) their own seqs (${journalWrites})`, async () => {
        const at = await newDatabase();
        const owner = await openAt(at, { journalWrites });
        const other = await openAt(at, { journalWrites });
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
      const spy = store.store.appendEventsNow
        ? vi.spyOn(store.store, 'appendEventsNow').mockImplementationOnce(() => {
            throw boom;
          })
        : vi.spyOn(store.store, 'appendEvents').mockRejectedValueOnce(boom);
      await expect(store.append({ runId: 'a', type: 'x' })).rejects.toBe(boom);
      spy.mockRestore();
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
      const opened = await openStore(await newDatabase());
      const store = new RunStore(opened);
      await store.createRun(newRun('a'));
      await store.close();
      expect(await opened.db.selectFrom('runs').select('id').execute()).toEqual([{ id: 'a' }]);
      await opened.close();
    });
  });

  describe('leases', () => {
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

  describe('two processes on one database', () => {
    it('never stores a run id twice', async () => {
      const at = await newDatabase();
      const [one, two] = [await openAt(at), await openAt(at)];
      const results = await Promise.allSettled([one.createRun(newRun('same')), two.createRun(newRun('same', { title: 'other' }))]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failed = results.find((r) => r.status === 'rejected');
      expect(failed).toMatchObject({ reason: { code: 'LA_RUN_EXISTS', category: 'permanent' } });
      expect((failed as PromiseRejectedResult).reason).toBeInstanceOf(LocalAgentError);
      expect(await one.listRuns()).toHaveLength(1);
      await one.close();
      await two.close();
    });

    it('lose no event and never repeat a seq when both append to one run at once', async () => {
      const at = await newDatabase();
      const stores = [await openAt(at, { journalWrites: 'kysely' }), await openAt(at, { journalWrites: 'kysely' })];
      await stores[0]!.createRun(newRun('shared'));
      await stores[0]!.createRun(newRun('side'));
      const perStore = 60;
      // Each store appends in many small transactions (one per tick), interleaved with the other's.
      await Promise.all(
        stores.map(async (store, s) => {
          for (let i = 0; i < perStore; i += 1) {
            const writes = [store.enqueue({ runId: 'shared', type: 'e', data: { s, i } })];
            if (i % 3 === 0) writes.push(store.enqueue({ runId: 'side', type: 'e', data: { s, i } }));
            await Promise.all(writes);
          }
        }),
      );
      const events = await stores[1]!.events('shared');
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 2 * perStore }, (_, i) => i + 1));
      const seen = new Set(events.map((e) => JSON.stringify(e.data)));
      expect(seen.size).toBe(2 * perStore);
      // Each store's own events keep their order.
      for (const s of [0, 1]) {
        const mine = events.map((e) => e.data as { s: number; i: number }).filter((d) => d.s === s);
        expect(mine.map((d) => d.i)).toEqual(Array.from({ length: perStore }, (_, i) => i));
      }
      expect((await stores[0]!.events('side')).map((e) => e.seq)).toEqual(Array.from({ length: 2 * (perStore / 3) }, (_, i) => i + 1));
      for (const store of stores) await store.close();
    });

    it('let only one of two stores take a free lease', async () => {
      const at = await newDatabase();
      const [one, two] = [await openAt(at), await openAt(at)];
      await one.createRun(newRun('r'));
      const results = await Promise.allSettled([one.acquire('r', { pid: 1, host: 'a' }), two.acquire('r', { pid: 2, host: 'b' })]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'LA_RUN_BUSY' } });
      await one.close();
      await two.close();
    });
  });

  describe('sealed results', () => {
    /** A cipher for tests: reversible, visibly different from the plain text, and strict about what it opens. */
    const testCipher = (): FieldCipher & { sealed: number } => {
      const cipher = {
        sealed: 0,
        seal(plain: string) {
          cipher.sealed += 1;
          return `sealed:${Buffer.from(plain, 'utf8').toString('base64')}`;
        },
        open(stored: string) {
          return stored.startsWith('sealed:') ? Buffer.from(stored.slice('sealed:'.length), 'base64').toString('utf8') : stored;
        },
        isSealed: (stored: string) => stored.startsWith('sealed:'),
      };
      return cipher;
    };

    it('seals journal data and results on write and opens them on read; other columns stay plain', async () => {
      const at = await newDatabase();
      const cipher = testCipher();
      const store = await openAt(at, { cipher });
      await store.createRun(newRun('r'));
      await store.append({ runId: 'r', type: 'task_succeeded', taskId: 't1', data: { output: 'the secret answer' } });
      await store.append({ runId: 'r', type: 'note', dataJson: '{"pre":"serialised"}' });
      await store.append({ runId: 'r', type: 'empty' });
      await store.saveResult('r', { status: 'success', answer: 'the secret answer' } as { status: string });
      const rows = await store.store.db.selectFrom('run_events').select(['type', 'task_id', 'data']).where('run_id', '=', 'r').orderBy('seq').execute();
      expect(rows.map((r) => [r.type, r.task_id])).toEqual([
        ['task_succeeded', 't1'],
        ['note', null],
        ['empty', null],
      ]);
      expect(rows[0]?.data).toMatch(/^sealed:/);
      expect(rows[1]?.data).toMatch(/^sealed:/);
      expect(rows[2]?.data).toBeNull();
      const result = await store.store.db.selectFrom('results').select(['status', 'last']).where('run_id', '=', 'r').executeTakeFirstOrThrow();
      expect(result.status).toBe('success');
      expect(result.last).toMatch(/^sealed:/);
      expect(JSON.stringify([rows, result])).not.toContain('secret answer');
      expect((await store.events('r')).map((e) => e.data)).toEqual([{ output: 'the secret answer' }, { pre: 'serialised' }, undefined]);
      expect(await store.nextEventOfType('r', 'note', 0)).toMatchObject({ event: { data: { pre: 'serialised' } } });
      expect(await store.getResult('r')).toEqual({ status: 'success', answer: 'the secret answer' });
      await store.close();
    });

    it('reads what was stored before sealing was turned on', async () => {
      const at = await newDatabase();
      const plain = await openAt(at);
      await plain.createRun(newRun('r'));
      await plain.append({ runId: 'r', type: 'x', data: { v: 1 } });
      await plain.saveResult('r', { status: 'success' });
      await plain.close();
      const sealed = await openAt(at, { cipher: testCipher() });
      await sealed.append({ runId: 'r', type: 'y', data: { v: 2 } });
      expect((await sealed.events('r')).map((e) => e.data)).toEqual([{ v: 1 }, { v: 2 }]);
      expect(await sealed.getResult('r')).toEqual({ status: 'success' });
      await sealed.close();
    });

    it('reports a value the cipher cannot open as a storage error', async () => {
      const store = await open({
        cipher: {
          seal: (plain) => plain,
          open: () => {
            throw new Error('authentication tag mismatch');
          },
          isSealed: () => true,
        },
      });
      await store.createRun(newRun('r'));
      await store.append({ runId: 'r', type: 'x', data: 1 });
      await store.saveResult('r', { status: 'success' });
      await expect(store.events('r')).rejects.toMatchObject({ code: 'LA_STORAGE', message: expect.stringContaining('authentication tag mismatch') as string });
      await expect(store.getResult('r')).rejects.toMatchObject({ code: 'LA_STORAGE' });
      await store.close();
    });
  });
});
