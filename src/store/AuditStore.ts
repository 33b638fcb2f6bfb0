import { canonicalJson } from '../core/json/index.js';
import type { AuditEventsTable } from './Database.js';
import type { Store } from './Store.js';
import { toStorageError } from './storageErrors.js';
import { chunked } from '../core/collections/index.js';

/**
 * One entry of the security audit log, as the log writes it (the shape of `AuditEntry` in
 * src/security/audit, restated here because the store sits below the services that use it).
 */
export interface AuditRecord {
  seq: number;
  time: string;
  category: string;
  action: string;
  outcome: string;
  actor?: string | undefined;
  subject?: string | undefined;
  prev: string;
  hash: string;
  [field: string]: unknown;
}

/** How the database copy of one audit log compares with the file. */
export interface AuditCopyCheck {
  /**
   * `match`: every entry of the file is in the database, byte for byte. `behind`: some entries of
   * the file are not copied yet (the database was unreachable when they were written; they are
   * copied on the next append), and those present match. `mismatch`: an entry differs, or the
   * database holds entries the file no longer has: one of the two was changed.
   */
  state: 'match' | 'behind' | 'mismatch';
  /** The log's id in the database: the hash of its first entry. */
  logId: string;
  fileEntries: number;
  databaseEntries: number;
  /** Entries of the file missing from the database. */
  missing: number;
  /** The first entry that differs, for `mismatch`. */
  mismatch?: { seq: number; reason: string };
}

/** Rows read at a time when comparing, so a long log is never loaded whole. */
const PAGE = 1000;
/** Rows per INSERT: well under every dialect's bound-parameter limit (11 per row). */
const INSERT_CHUNK = 500;

/**
 * The database copy of the security audit log (`audit_events`). The JSON Lines file stays the
 * source of truth and is written first; the copy makes the log queryable next to the runs and,
 * because each row keeps the entry's exact text, lets the chain be checked against the file.
 */
export class AuditStore {
  constructor(private readonly store: Store) {}

  /** Copies entries of the log `logId`; entries already copied (same log and seq) are left as they are. */
  async insert(logId: string, entries: readonly AuditRecord[]): Promise<void> {
    if (entries.length === 0) return;
    const rows: AuditEventsTable[] = entries.map((entry) => ({
      log_id: logId,
      seq: entry.seq,
      time: entry.time,
      category: entry.category,
      action: entry.action,
      outcome: entry.outcome,
      actor: entry.actor ?? null,
      subject: entry.subject ?? null,
      prev: entry.prev,
      hash: entry.hash,
      entry: canonicalJson(entry),
    }));
    await this.guard('copying audit entries', async () => {
      for (const part of chunked(rows, INSERT_CHUNK)) {
        await this.store.db
          .insertInto('audit_events')
          .values(part)
          .onConflict((oc) => oc.columns(['log_id', 'seq']).doNothing())
          .execute();
      }
    });
  }

  /** The highest seq copied for the log (0 when none is). */
  async lastSeq(logId: string): Promise<number> {
    const row = await this.guard('reading audit entries', () =>
      this.store.db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.max<number | null>('seq').as('seq'))
        .where('log_id', '=', logId)
        .executeTakeFirst(),
    );
    return row?.seq ?? 0;
  }

  /** The copied entries of the log, in order, from `fromSeq` on; at most `limit` of them. */
  async rows(logId: string, options: { fromSeq?: number; limit?: number } = {}): Promise<AuditEventsTable[]> {
    return this.guard('reading audit entries', () =>
      this.store.db
        .selectFrom('audit_events')
        .selectAll()
        .where('log_id', '=', logId)
        .where('seq', '>=', options.fromSeq ?? 1)
        .orderBy('seq')
        .limit(options.limit ?? PAGE)
        .execute(),
    );
  }

  /**
   * Compares the file's entries (in order, as read from the file) with the copy of log `logId`:
   * same hash and same text for every entry the copy has, and nothing in the copy past the file's end.
   */
  async compare(logId: string, fileEntries: AsyncIterable<AuditRecord>): Promise<AuditCopyCheck> {
    let page: AuditEventsTable[] = [];
    let index = 0;
    let nextSeq = 1;
    let fileCount = 0;
    let databaseCount = 0;
    let missing = 0;
    let mismatch: AuditCopyCheck['mismatch'];
    /** The copied row with this seq, if any; pages forward through the copy. */
    const rowFor = async (seq: number): Promise<AuditEventsTable | undefined> => {
      for (;;) {
        while (index < page.length && (page[index] as AuditEventsTable).seq < seq) index += 1;
        if (index < page.length) return (page[index] as AuditEventsTable).seq === seq ? page[index] : undefined;
        if (nextSeq > seq) return undefined;
        page = await this.rows(logId, { fromSeq: seq, limit: PAGE });
        index = 0;
        nextSeq = page.length === PAGE ? (page[page.length - 1] as AuditEventsTable).seq + 1 : Number.POSITIVE_INFINITY;
        if (page.length === 0) return undefined;
      }
    };
    for await (const entry of fileEntries) {
      fileCount += 1;
      const row = await rowFor(entry.seq);
      if (!row) {
        missing += 1;
        continue;
      }
      databaseCount += 1;
      if (!mismatch && (row.hash !== entry.hash || row.entry !== canonicalJson(entry))) {
        mismatch = { seq: entry.seq, reason: `The database copy of entry ${entry.seq} differs from the file: one of them was changed.` };
      }
    }
    const beyond = await this.guard('reading audit entries', () =>
      this.store.db
        .selectFrom('audit_events')
        .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.min<number | null>('seq').as('first')])
        .where('log_id', '=', logId)
        .where('seq', '>', fileCount)
        .executeTakeFirst(),
    );
    const extra = Number(beyond?.n ?? 0);
    if (!mismatch && extra > 0) {
      mismatch = {
        seq: Number(beyond?.first),
        reason: `The database holds ${extra} entr${extra === 1 ? 'y' : 'ies'} after the file's last (entry ${fileCount}): entries were removed from the end of the file.`,
      };
    }
    return {
      state: mismatch ? 'mismatch' : missing > 0 ? 'behind' : 'match',
      logId,
      fileEntries: fileCount,
      databaseEntries: databaseCount + extra,
      missing,
      ...(mismatch ? { mismatch } : {}),
    };
  }

  private async guard<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toStorageError(error, this.store.where, doing);
    }
  }
}

/** What `auditMirror` needs besides the store. */
export interface AuditMirrorOptions {
  store: AuditStore;
  /** The log's entries from `fromSeq` on, read from its file (the source of truth). */
  readFrom(fromSeq: number): AsyncIterable<AuditRecord>;
}

/**
 * A sink for the audit log's `onAppend`: copies each appended batch into the database, first
 * copying any earlier entries the database lacks (written while it was unreachable, or before the
 * copy existed), so the copy catches up by itself. Throws a StorageError when the database fails;
 * the entries are in the file regardless.
 */
export function auditMirror(options: AuditMirrorOptions): (entries: readonly AuditRecord[]) => Promise<void> {
  let logId: string | undefined;
  /** The highest seq known to be copied for `logId`. */
  let copied = 0;
  return async (entries) => {
    const first = entries[0];
    if (!first) return;
    if (first.seq === 1) {
      logId = first.hash;
      copied = 0;
    } else if (logId === undefined || first.seq <= copied) {
      // Not known yet, or the file was replaced by a new log (seqs start again): its first entry names it.
      logId = await firstHash(options.readFrom(1));
      copied = logId === undefined ? 0 : await options.store.lastSeq(logId);
    }
    if (logId === undefined) return;
    if (first.seq > copied + 1) {
      copied = Math.max(copied, await options.store.lastSeq(logId));
      if (first.seq > copied + 1) {
        const earlier: AuditRecord[] = [];
        for await (const entry of options.readFrom(copied + 1)) {
          if (entry.seq >= first.seq) break;
          earlier.push(entry);
        }
        await options.store.insert(logId, earlier);
      }
    }
    await options.store.insert(logId, entries);
    copied = Math.max(copied, (entries[entries.length - 1] as AuditRecord).seq);
  };
}

async function firstHash(entries: AsyncIterable<AuditRecord>): Promise<string | undefined> {
  for await (const entry of entries) return entry.hash;
  return undefined;
}
