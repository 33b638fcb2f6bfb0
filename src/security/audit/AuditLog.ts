import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { InternalError, StorageError } from '../../core/errors/index.js';
import { ensurePrivateDir } from '../../core/paths/index.js';
import { Redactor } from '../../core/redact/index.js';
import {
  AUDIT_OUTCOMES,
  GENESIS_HASH,
  RESERVED_AUDIT_FIELDS,
  type AuditBreak,
  type AuditEntry,
  type AuditEvent,
  type AuditVerifyResult,
} from './AuditEvent.js';
import { withFileLock, writeFileAtomic, type FileLockOptions } from '../../core/fs/index.js';
import { canonicalJson, type JsonValue } from '../../core/json/index.js';

export interface AuditLogOptions {
  /** The JSON Lines file. Its folder is created private (0700); the file is 0600. */
  file: string;
  /** Source of entry times. Default: the system clock. */
  clock?: () => Date;
  /** Hides secrets that slip into string fields. Default: a redactor with the built-in patterns. */
  redactor?: Redactor;
  /** Flush every append to disk before it resolves. Default true: an audit entry that can be lost is worth little. */
  fsync?: boolean;
  /** Keep `<file>.head`, recording the last entry, so removal of entries from the end is detected. Default true. */
  anchor?: boolean;
  /** Cross-process lock tuning. */
  lock?: FileLockOptions;
  /**
   * Called with each appended batch once it is on disk and the lock is released (the app copies the
   * entries into the database). The file is the record: if the hook fails, the entries stay written
   * and `append` rejects with the hook's error.
   */
  onAppend?: (entries: readonly AuditEntry[]) => Promise<void> | void;
}

export interface AuditReadOptions {
  /** Only entries at or after this time. */
  since?: Date | string;
  /** Only entries with `seq` at or above this. */
  fromSeq?: number;
}

interface HeadAnchor {
  v: 1;
  seq: number;
  hash: string;
}

interface Tail {
  seq: number;
  hash: string;
}

const HASH_PATTERN = /^[0-9a-f]{64}$/;
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/;
const MAX_TAIL_BYTES = 1024 * 1024;
/**
 * Checking and hashing an event takes some 25 µs; a large batch done in one go would stall the
 * event loop for milliseconds, so batches give way to other work every this many events.
 */
const YIELD_EVERY = 16;

/**
 * An append-only, hash-chained JSON Lines log of security events. Each line is the canonical JSON
 * (see `canonicalJson`) of one entry; each entry carries the hash of the one before, so removing,
 * editing, inserting or reordering lines breaks the chain at the first affected line. Appends from
 * several processes are serialised by a lock file. See docs/security/audit.md for what the chain
 * can and cannot prove.
 */
export class AuditLog {
  readonly file: string;
  /** The head anchor file: the seq and hash of the last entry. */
  readonly headFile: string;
  private readonly clock: () => Date;
  private readonly redactor: Redactor;
  private readonly fsync: boolean;
  private readonly anchor: boolean;
  private readonly lockOptions: FileLockOptions;
  private readonly onAppend: ((entries: readonly AuditEntry[]) => Promise<void> | void) | undefined;
  private dirReady = false;

  constructor(options: AuditLogOptions) {
    this.file = options.file;
    this.headFile = `${options.file}.head`;
    this.clock = options.clock ?? (() => new Date());
    this.redactor = options.redactor ?? new Redactor();
    this.fsync = options.fsync ?? true;
    this.anchor = options.anchor ?? true;
    this.lockOptions = options.lock ?? {};
    this.onAppend = options.onAppend;
  }

  /** Appends one event and resolves once it is on disk. */
  async append(event: AuditEvent): Promise<AuditEntry> {
    const [entry] = await this.appendMany([event]);
    return entry as AuditEntry;
  }

  /** Appends several events in order under one lock and one write: cheaper than one `append` each. */
  async appendMany(events: readonly AuditEvent[]): Promise<AuditEntry[]> {
    const clean: AuditEvent[] = [];
    for (const event of events) {
      if (clean.length > 0 && clean.length % YIELD_EVERY === 0) await setImmediate();
      clean.push(this.sanitiseEvent(event));
    }
    if (clean.length === 0) return [];
    if (!this.dirReady) {
      await ensurePrivateDir(dirname(this.file));
      this.dirReady = true;
    }
    const entries = await withFileLock(this.file, () => this.appendLocked(clean), this.lockOptions);
    if (this.onAppend) await this.onAppend(entries);
    return entries;
  }

  /** The entries in order. Throws `LA_AUDIT_BROKEN` on a line that is not an entry (use `verify` to find out why). */
  async *read(options: AuditReadOptions = {}): AsyncGenerator<AuditEntry> {
    const since = options.since === undefined ? undefined : new Date(options.since).getTime();
    let lineNo = 0;
    for await (const line of readLines(this.file)) {
      lineNo += 1;
      const entry = parseEntry(line.text);
      if (!entry || !line.terminated) throw brokenLine(this.file, lineNo);
      if (options.fromSeq !== undefined && entry.seq < options.fromSeq) continue;
      if (since !== undefined && Date.parse(entry.time) < since) continue;
      yield entry;
    }
  }

  /** `read` collected into an array. */
  async readAll(options: AuditReadOptions = {}): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    for await (const entry of this.read(options)) out.push(entry);
    return out;
  }

  /**
   * Checks the whole chain and the head anchor. Reports the first line (1-based) that does not
   * check out and why; later lines are not examined, since everything after a break is suspect.
   */
  async verify(): Promise<AuditVerifyResult> {
    let lineNo = 0;
    let prev = GENESIS_HASH;
    const hashes: string[] = [];
    const broken = (line: number, kind: AuditBreak, reason: string): AuditVerifyResult => ({
      ok: false,
      line,
      break: kind,
      reason,
      entries: hashes.length,
    });
    for await (const line of readLines(this.file)) {
      lineNo += 1;
      if (!line.terminated) {
        return broken(lineNo, 'incomplete', 'The last line is cut off (no newline): a write was interrupted or the file was truncated.');
      }
      const entry = parseEntry(line.text);
      if (!entry) return broken(lineNo, 'malformed', 'The line is not a JSON audit entry with seq, time, prev and hash.');
      if (line.text !== canonicalJson(entry)) {
        return broken(lineNo, 'not_canonical', 'The line is not in the exact form the log writes: it was edited.');
      }
      if (entry.seq !== lineNo) {
        return broken(lineNo, 'sequence', `Expected entry ${lineNo} but found entry ${entry.seq}: entries were removed, duplicated or reordered.`);
      }
      if (entry.prev !== prev) {
        return broken(lineNo, 'chain', 'The link to the previous entry does not match: an entry before this one was removed, changed or moved.');
      }
      if (hashEntry(entry) !== entry.hash) {
        return broken(lineNo, 'hash', 'The entry does not match its own hash: its content was changed.');
      }
      prev = entry.hash;
      hashes.push(entry.hash);
    }
    if (!this.anchor) return { ok: true, entries: hashes.length, lastHash: prev, anchor: 'missing' };
    const head = await readHead(this.headFile);
    if (head === 'missing') return { ok: true, entries: hashes.length, lastHash: prev, anchor: 'missing' };
    if (head === 'unreadable') {
      return broken(hashes.length + 1, 'anchor', `The head anchor ${this.headFile} is unreadable, so the end of the log cannot be checked.`);
    }
    if (head.seq > hashes.length) {
      return broken(
        hashes.length + 1,
        'truncated',
        `The log ends after entry ${hashes.length} but the head anchor records entry ${head.seq}: entries were removed from the end.`,
      );
    }
    if (head.seq > 0 && hashes[head.seq - 1] !== head.hash) {
      return broken(head.seq, 'anchor', `Entry ${head.seq} differs from the one the head anchor records: the log was rewritten.`);
    }
    return { ok: true, entries: hashes.length, lastHash: prev, anchor: head.seq === hashes.length ? 'ok' : 'behind' };
  }

  private async appendLocked(events: AuditEvent[]): Promise<AuditEntry[]> {
    let handle;
    try {
      handle = await open(this.file, 'a+', 0o600);
    } catch (error) {
      throw writeFailed(this.file, error);
    }
    try {
      const info = await handle.stat();
      if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) await handle.chmod(0o600);
      const tail = await readTail(handle, info.size, this.file);
      let { seq, hash: prev } = tail;
      const entries: AuditEntry[] = [];
      const lines: string[] = [];
      const time = this.clock().toISOString();
      for (const event of events) {
        if (entries.length > 0 && entries.length % YIELD_EVERY === 0) await setImmediate();
        seq += 1;
        const unhashed = { ...event, v: 1 as const, seq, time, prev };
        const entry = { ...unhashed, hash: sha256Hex(canonicalJson(unhashed)) } as AuditEntry;
        entries.push(entry);
        lines.push(`${canonicalJson(entry)}\n`);
        prev = entry.hash;
      }
      try {
        // One write call in append mode: concurrent writers are excluded by the lock, and a crash
        // leaves at worst one torn last line, which verify reports as 'incomplete'.
        await handle.write(lines.join(''));
        if (this.fsync) await handle.sync();
      } catch (error) {
        throw writeFailed(this.file, error);
      }
      if (this.anchor) {
        const head: HeadAnchor = { v: 1, seq, hash: prev };
        await writeFileAtomic(this.headFile, `${JSON.stringify(head)}\n`, { fsync: this.fsync });
      }
      return entries;
    } finally {
      await handle.close();
    }
  }

  private sanitiseEvent(event: AuditEvent): AuditEvent {
    if (typeof event !== 'object' || event === null) throw invalidEvent('The event must be an object.');
    for (const field of ['category', 'action'] as const) {
      const value = event[field];
      if (typeof value !== 'string' || !NAME_PATTERN.test(value)) {
        throw invalidEvent(`The event's ${field} must be a short name (letters, digits, _ . : -).`);
      }
    }
    if (!AUDIT_OUTCOMES.includes(event.outcome)) {
      throw invalidEvent(`The event's outcome must be one of: ${AUDIT_OUTCOMES.join(', ')}.`);
    }
    for (const name of RESERVED_AUDIT_FIELDS) {
      if (Object.hasOwn(event, name)) throw invalidEvent(`The field "${name}" is set by the audit log itself.`);
    }
    return this.sanitiseValue(event, '$') as AuditEvent;
  }

  private sanitiseValue(value: unknown, path: string): JsonValue | undefined {
    if (typeof value === 'string') return this.redactor.text(value);
    if (value === null || value === undefined || typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw invalidEvent(`The field ${path} is not a finite number.`);
      return value;
    }
    if (Array.isArray(value)) return value.map((item, index) => this.sanitiseValue(item, `${path}[${index}]`) ?? null);
    const proto: unknown = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
    if (proto !== Object.prototype && proto !== null) {
      throw invalidEvent(`The field ${path} is not JSON (strings, numbers, booleans, null, arrays, plain objects).`);
    }
    const out: Record<string, JsonValue> = {};
    for (const [name, member] of Object.entries(value as Record<string, unknown>)) {
      if (this.redactor.isSecretField(name)) {
        throw invalidEvent(`The field ${path}.${name} is named like a secret; audit entries must not carry secrets.`);
      }
      const clean = this.sanitiseValue(member, `${path}.${name}`);
      if (clean !== undefined) out[name] = clean;
    }
    return out;
  }
}

/** SHA-256 (hex) of the canonical JSON of the entry without its `hash` field. */
export function hashEntry(entry: AuditEntry): string {
  const { hash: _hash, ...rest } = entry;
  return sha256Hex(canonicalJson(rest));
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function parseEntry(text: string): AuditEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entry = value as Partial<AuditEntry>;
  const ok =
    entry.v === 1 &&
    Number.isSafeInteger(entry.seq) &&
    (entry.seq as number) >= 1 &&
    typeof entry.time === 'string' &&
    typeof entry.prev === 'string' &&
    HASH_PATTERN.test(entry.prev) &&
    typeof entry.hash === 'string' &&
    HASH_PATTERN.test(entry.hash) &&
    typeof entry.category === 'string' &&
    typeof entry.action === 'string' &&
    typeof entry.outcome === 'string';
  return ok ? (entry as AuditEntry) : undefined;
}

/** The last entry's seq and hash, found by reading backwards from the end of the file. */
async function readTail(handle: FileHandle, size: number, file: string): Promise<Tail> {
  if (size === 0) return { seq: 0, hash: GENESIS_HASH };
  let chunk = 4096;
  for (;;) {
    const length = Math.min(size, chunk);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    if (buffer[length - 1] !== 0x0a) throw brokenTail(file, 'its last line is cut off');
    const start = buffer.lastIndexOf(0x0a, length - 2);
    if (start !== -1 || length === size) {
      const entry = parseEntry(buffer.toString('utf8', start + 1, length - 1));
      if (!entry) throw brokenTail(file, 'its last line is not an audit entry');
      return { seq: entry.seq, hash: entry.hash };
    }
    if (chunk >= MAX_TAIL_BYTES) throw brokenTail(file, 'its last line is implausibly long');
    chunk *= 4;
  }
}

async function readHead(file: string): Promise<HeadAnchor | 'missing' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    return 'unreadable';
  }
  try {
    const head = JSON.parse(text) as Partial<HeadAnchor>;
    if (head.v === 1 && Number.isSafeInteger(head.seq) && (head.seq as number) >= 0 && typeof head.hash === 'string' && HASH_PATTERN.test(head.hash)) {
      return { v: 1, seq: head.seq as number, hash: head.hash };
    }
  } catch {
    // Falls through to 'unreadable'.
  }
  return 'unreadable';
}

interface Line {
  text: string;
  terminated: boolean;
}

/** Lines of a file without loading it whole; splits on the newline byte, which never occurs inside a UTF-8 sequence. */
async function* readLines(file: string): AsyncGenerator<Line> {
  const stream = createReadStream(file);
  let carry: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of stream) {
      const buffer: Buffer = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
      let start = 0;
      for (let end = buffer.indexOf(0x0a, start); end !== -1; end = buffer.indexOf(0x0a, start)) {
        yield { text: buffer.toString('utf8', start, end), terminated: true };
        start = end + 1;
      }
      carry = buffer.subarray(start);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new StorageError({ message: `Cannot read the audit log ${file}: ${(error as Error).message}`, details: { file }, cause: error });
  } finally {
    stream.destroy();
  }
  if (carry.length > 0) yield { text: carry.toString('utf8'), terminated: false };
}

function invalidEvent(message: string): InternalError {
  return new InternalError({
    code: 'LA_AUDIT_EVENT_INVALID',
    message: `Refused to write an audit event: ${message}`,
    suggestion: 'This is a bug in the code that records the event; report it with the message above.',
  });
}

function brokenTail(file: string, why: string): StorageError {
  return new StorageError({
    code: 'LA_AUDIT_BROKEN',
    message: `Cannot append to the audit log ${file}: ${why}, so the next entry could not be chained to it.`,
    suggestion: `Run \`localagent audit verify\` to see where it breaks, then move the file aside (keep it as evidence); a new log starts on the next event.`,
    details: { file },
  });
}

function brokenLine(file: string, line: number): StorageError {
  return new StorageError({
    code: 'LA_AUDIT_BROKEN',
    message: `Line ${line} of the audit log ${file} is not a valid entry.`,
    suggestion: 'Run `localagent audit verify` to see why; the log may have been edited or cut off.',
    details: { file, line },
  });
}

function writeFailed(file: string, error: unknown): StorageError {
  return new StorageError({
    code: 'LA_AUDIT_WRITE',
    message: `Cannot write the audit log ${file}: ${(error as Error).message}`,
    suggestion: 'Check free disk space and the permissions of the LocalAgent home; security actions are refused while they cannot be audited.',
    details: { file },
    cause: error,
  });
}
