import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeDialects } from '../../test/support/postgres.js';
import { canonicalJson } from '../core/json/index.js';
import { AuditStore, auditMirror, openStore, type AuditRecord, type Store } from './index.js';

/** A chain of `n` entries shaped as the security audit log writes them. */
function chain(n: number, from: AuditRecord[] = []): AuditRecord[] {
  const out = [...from];
  for (let i = out.length + 1; out.length < n; i += 1) {
    const unhashed = { v: 1, seq: i, time: `2025-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`, category: 'policy', action: 'decide', outcome: 'denied', actor: 'alice', subject: `task-${i}`, prev: out.at(-1)?.hash ?? '0'.repeat(64), n: i };
    out.push({ ...unhashed, hash: createHash('sha256').update(canonicalJson(unhashed)).digest('hex') });
  }
  return out;
}

async function* iterate(entries: readonly AuditRecord[]): AsyncGenerator<AuditRecord> {
  for (const entry of entries) yield await Promise.resolve(entry);
}

describeDialects('AuditStore', ({ newDatabase }) => {
  const open = async (): Promise<{ store: Store; audit: AuditStore }> => {
    const store = await openStore(await newDatabase());
    return { store, audit: new AuditStore(store) };
  };

  it('copies entries once, with their exact text, and reads them back in order', async () => {
    const { store, audit } = await open();
    const entries = chain(3);
    const logId = entries[0]!.hash;
    expect(await audit.lastSeq(logId)).toBe(0);
    await audit.insert(logId, entries.slice(0, 2));
    await audit.insert(logId, entries); // the first two again: left as they are
    await audit.insert(logId, []);
    expect(await audit.lastSeq(logId)).toBe(3);
    const rows = await audit.rows(logId);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows[0]).toMatchObject({ log_id: logId, category: 'policy', action: 'decide', outcome: 'denied', actor: 'alice', subject: 'task-1', prev: '0'.repeat(64), hash: entries[0]!.hash });
    expect(rows.map((r) => r.entry)).toEqual(entries.map((e) => canonicalJson(e)));
    expect((await audit.rows(logId, { fromSeq: 2, limit: 1 })).map((r) => r.seq)).toEqual([2]);
    // Another log in the same database keeps its own seqs.
    const other = chain(1, []).map((e) => ({ ...e, subject: 'elsewhere' }));
    await audit.insert('b'.repeat(64), other);
    expect(await audit.lastSeq('b'.repeat(64))).toBe(1);
    expect(await audit.lastSeq(logId)).toBe(3);
    await store.close();
  });

  it('compares the copy with the file: match, behind, an edited row, rows past the end of the file', async () => {
    const { store, audit } = await open();
    const entries = chain(1205);
    const logId = entries[0]!.hash;
    await audit.insert(logId, entries.slice(0, 1200));
    expect(await audit.compare(logId, iterate(entries.slice(0, 1200)))).toEqual({ state: 'match', logId, fileEntries: 1200, databaseEntries: 1200, missing: 0 });
    expect(await audit.compare(logId, iterate(entries))).toEqual({ state: 'behind', logId, fileEntries: 1205, databaseEntries: 1200, missing: 5 });
    // A hole in the middle of the copy is "behind" too; the mirror fills it on its next append.
    await store.db.deleteFrom('audit_events').where('seq', '=', 1001).execute();
    expect(await audit.compare(logId, iterate(entries.slice(0, 1200)))).toMatchObject({ state: 'behind', missing: 1 });
    await audit.insert(logId, entries);

    const edited = await store.db.updateTable('audit_events').set({ subject: 'nothing to see', entry: canonicalJson({ ...entries[700], subject: 'nothing to see' }) }).where('seq', '=', 701).executeTakeFirst();
    expect(edited.numUpdatedRows).toBe(1n);
    const changed = await audit.compare(logId, iterate(entries));
    expect(changed).toMatchObject({ state: 'mismatch', mismatch: { seq: 701, reason: expect.stringContaining('entry 701 differs') as string } });

    const { store: second, audit: fresh } = await open();
    await fresh.insert(logId, entries.slice(0, 10));
    const cut = await fresh.compare(logId, iterate(entries.slice(0, 7)));
    expect(cut).toMatchObject({ state: 'mismatch', fileEntries: 7, databaseEntries: 10, mismatch: { seq: 8, reason: expect.stringContaining('removed from the end of the file') as string } });
    expect(await fresh.compare('c'.repeat(64), iterate([]))).toEqual({ state: 'match', logId: 'c'.repeat(64), fileEntries: 0, databaseEntries: 0, missing: 0 });
    await second.close();
    await store.close();
  });

  it('mirrors appended batches, first copying what the database missed', async () => {
    const { store, audit } = await open();
    const file = chain(6);
    const reads: number[] = [];
    const mirror = auditMirror({
      store: audit,
      readFrom: (fromSeq) => {
        reads.push(fromSeq);
        return iterate(file.filter((e) => e.seq >= fromSeq));
      },
    });
    const logId = file[0]!.hash;
    await mirror([]);
    // Entries 1-3 were written before the copy existed (or while the database was down).
    await mirror(file.slice(3, 4));
    expect((await audit.rows(logId)).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(reads).toEqual([1, 1]);
    await mirror(file.slice(4, 6));
    expect((await audit.rows(logId)).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(reads).toEqual([1, 1]);

    // The file was moved aside and a new log began: its first entry names it.
    const next = chain(2).map((e) => ({ ...e }));
    next[0]!.hash = 'd'.repeat(64);
    await mirror(next.slice(0, 1));
    expect((await audit.rows('d'.repeat(64))).map((r) => r.seq)).toEqual([1]);
    await store.close();
  });

  it('learns the log id from the file, and copies nothing for an empty file', async () => {
    const { store, audit } = await open();
    const file = chain(3);
    const mirror = auditMirror({ store: audit, readFrom: (fromSeq) => iterate(file.filter((e) => e.seq >= fromSeq)) });
    await mirror(file.slice(2));
    expect(await audit.lastSeq(file[0]!.hash)).toBe(3);
    const empty = auditMirror({ store: audit, readFrom: () => iterate([]) });
    await empty(chain(5).slice(4));
    expect(await store.db.selectFrom('audit_events').select('seq').execute()).toHaveLength(3);
    await store.close();
  });

  it('reports a database failure as a storage error', async () => {
    const { store, audit } = await open();
    await store.close();
    await expect(audit.lastSeq('x')).rejects.toMatchObject({ code: expect.stringMatching(/^LA_/) as string });
  });
});
