import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeDialects } from '../../test/support/postgres.js';
import type { BulkInsert, Store } from './index.js';

const ITEMS: BulkInsert = { table: 'bulk_items', columns: ['id', 'name', 'n'], conflict: 'on conflict (id) do nothing', returning: ['id'] };

function* items(from: number, to: number): Generator<unknown[]> {
  for (let i = from; i < to; i += 1) yield [i, `item ${i}`, i * 2];
}

describeDialects('Store.bulkWrite', ({ dialect, openStore }) => {
  async function open(): Promise<Store> {
    const store = await openStore();
    await sql`create table bulk_items (id integer primary key, name varchar(40) not null, n integer not null)`.execute(store.db);
    return store;
  }
  const count = async (store: Store): Promise<number> => Number((await sql<{ n: number | string }>`select count(*) as n from bulk_items`.execute(store.db)).rows[0]?.n);

  it('writes many rows in one transaction, and says which ones it inserted', async () => {
    const store = await open();
    const first = await store.bulkWrite((writer) => writer.insert<{ id: number }>(ITEMS, items(0, 2500)));
    expect(first).toHaveLength(2500);
    // Rows already there are left alone and not returned.
    const second = await store.bulkWrite((writer) => writer.insert<{ id: number }>(ITEMS, items(2400, 2600)));
    expect(second.map((r) => Number(r.id))).toEqual(Array.from({ length: 100 }, (_, i) => 2500 + i));
    expect(await count(store)).toBe(2600);
    // A value that is an expression of the row's values.
    await store.bulkWrite((writer) =>
      writer.insert({ table: 'bulk_items', columns: ['id', 'name', 'n'], row: { values: 2, text: ([id, n]) => `(${id}, 'computed', ${n} + 1)` } }, [
        [5000, 41],
        [5001, 1],
      ]),
    );
    const computed = await store.bulkWrite(async (writer) => (await writer.execute(sql<{ id: number; n: number }>`select id, n from bulk_items where name = ${'computed'} order by id`.compile(store.db))).rows);
    expect(computed.map((r) => [Number(r.id), Number(r.n)])).toEqual([
      [5000, 42],
      [5001, 2],
    ]);
    const deleted = await store.bulkWrite((writer) => writer.execute(sql`delete from bulk_items where id >= ${5000}`.compile(store.db)));
    expect(deleted).toEqual({ rows: [], changes: 2 });
  });

  it('writes the same when the column types are given (PostgreSQL: one array per column)', async () => {
    const store = await open();
    const typed: BulkInsert = { ...ITEMS, types: ['int4', 'text', 'int4'] };
    const first = await store.bulkWrite((writer) => writer.insert<{ id: number }>(typed, items(0, 7000)));
    expect(first).toHaveLength(7000);
    // A NULL where the column takes none fails the write, as a plain insert would.
    await expect(
      store.bulkWrite((writer) =>
        writer.insert(typed, [
          [7000, 'fine', 0],
          [7001, null, 0],
        ]),
      ),
    ).rejects.toThrow(/null/i);
    const upserted = await store.bulkWrite((writer) =>
      writer.insert<{ id: number; n: number }>({ ...typed, conflict: 'on conflict (id) do update set n = bulk_items.n + excluded.n', returning: ['id', 'n'] }, [
        [1, "it's", 5],
        [7002, 'new', 1],
      ]),
    );
    expect(upserted.map((r) => [Number(r.id), Number(r.n)])).toEqual([
      [1, 7],
      [7002, 1],
    ]);
    expect(await count(store)).toBe(7001);
  });

  it('keeps nothing of a write that fails halfway, and passes its error on', async () => {
    const store = await open();
    const failure = new Error('stop here');
    await expect(
      store.bulkWrite(async (writer) => {
        await writer.insert(ITEMS, items(0, 100));
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(store.bulkWrite((writer) => writer.insert({ ...ITEMS, conflict: undefined }, [[1, 'a', 1], [1, 'again', 2]]))).rejects.toThrow();
    expect(await count(store)).toBe(0);
    // The connection is fine afterwards.
    await store.bulkWrite((writer) => writer.insert(ITEMS, items(0, 3)));
    expect(await count(store)).toBe(3);
  });

  it.runIf(dialect === 'sqlite')('lets no other query of the process in between (SQLite: one connection)', async () => {
    const store = await open();
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const begun = new Promise<void>((resolve) => (started = resolve));
    const writing = store.bulkWrite(async (writer) => {
      await writer.insert(ITEMS, items(0, 10));
      started();
      await held;
      await writer.insert(ITEMS, items(10, 20));
    });
    await begun;
    // Asked while the write is open: answered once it has committed, with all of it.
    const reading = count(store);
    expect(store.appendEventsNow?.([])).toBeUndefined();
    release();
    await writing;
    expect(await reading).toBe(20);
  });
});
