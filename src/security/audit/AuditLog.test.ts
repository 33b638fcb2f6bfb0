import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redactor } from '../../core/redact/index.js';
import { canonicalJson } from '../../core/json/index.js';
import { AuditLog, GENESIS_HASH, hashEntry, type AuditEntry, type AuditEvent } from './index.js';

const event = (n: number, extra: Partial<AuditEvent> = {}): AuditEvent => ({
  category: 'key',
  action: 'retrieve',
  outcome: 'success',
  actor: 'alice',
  subject: `provider-${n}`,
  n,
  ...extra,
});

describe('AuditLog', () => {
  let home: string;
  let file: string;
  let log: AuditLog;
  let now: number;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'la-audit-'));
    file = join(home, 'audit', 'keys.audit.jsonl');
    now = Date.parse('2025-01-01T00:00:00.000Z');
    log = new AuditLog({ file, clock: () => new Date((now += 1000)) });
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  const lines = async (): Promise<string[]> => (await readFile(file, 'utf8')).split('\n').slice(0, -1);
  const writeLines = (list: string[]): Promise<void> => writeFile(file, list.map((l) => `${l}\n`).join(''));
  const appendN = async (n: number): Promise<AuditEntry[]> => {
    const out: AuditEntry[] = [];
    for (let i = 1; i <= n; i += 1) out.push(await log.append(event(i)));
    return out;
  };

  describe('append', () => {
    it('chains entries: seq from 1, prev is the previous hash, hash covers the canonical entry', async () => {
      const [first, second] = await appendN(2);
      expect(first).toMatchObject({ v: 1, seq: 1, prev: GENESIS_HASH, time: '2025-01-01T00:00:01.000Z', subject: 'provider-1' });
      expect(second).toMatchObject({ seq: 2, prev: first!.hash });
      const { hash, ...rest } = second!;
      expect(hash).toBe(createHash('sha256').update(canonicalJson(rest)).digest('hex'));
      expect(hashEntry(second!)).toBe(hash);
      expect(await lines()).toEqual([canonicalJson(first), canonicalJson(second)]);
    });

    it('hands each appended batch to onAppend once it is in the file; a failing hook rejects but keeps the entries', async () => {
      const seen: { seqs: number[]; inFile: number }[] = [];
      const hooked = new AuditLog({
        file,
        onAppend: async (entries) => {
          seen.push({ seqs: entries.map((e) => e.seq), inFile: (await lines()).length });
        },
      });
      await hooked.append(event(1));
      await hooked.appendMany([event(2), event(3)]);
      await hooked.appendMany([]);
      expect(seen).toEqual([
        { seqs: [1], inFile: 1 },
        { seqs: [2, 3], inFile: 3 },
      ]);
      const failing = new AuditLog({
        file,
        onAppend: () => {
          throw new Error('database down');
        },
      });
      await expect(failing.append(event(4))).rejects.toThrow('database down');
      expect(await lines()).toHaveLength(4);
      expect((await failing.verify()).ok).toBe(true);
    });

    it('creates the folder 0700 and the file 0600, and tightens a file that is too open', async () => {
      await appendN(1);
      expect((await stat(join(home, 'audit'))).mode & 0o777).toBe(0o700);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      await chmod(file, 0o644);
      await appendN(1);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    });

    it('appends a batch under one lock, in order', async () => {
      const entries = await log.appendMany([event(1), event(2), event(3)]);
      expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(await log.appendMany([])).toEqual([]);
      expect(await log.verify()).toMatchObject({ ok: true, entries: 3, anchor: 'ok' });
    });

    it('keeps a valid chain when two log objects on the same file append concurrently', async () => {
      const other = new AuditLog({ file });
      await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? log : other).append(event(i))));
      const result = await log.verify();
      expect(result).toMatchObject({ ok: true, entries: 30 });
    });

    it('chains onto a last line longer than one read chunk', async () => {
      await log.append(event(1, { note: 'x'.repeat(20_000) }));
      await log.append(event(2));
      expect(await log.verify()).toMatchObject({ ok: true, entries: 2 });
    });

    it('redacts secret-shaped strings and refuses secret-named fields', async () => {
      const redactor = new Redactor();
      redactor.addSecret('my-very-private-value');
      const guarded = new AuditLog({ file, redactor });
      const entry = await guarded.append(event(1, { note: 'leaked sk-abcdefghijklmnopqrstuvwx and my-very-private-value', nested: { list: ['Bearer abcdefghijkl'] } }));
      expect(entry.note).toBe('leaked [REDACTED] and [REDACTED]');
      expect(await readFile(file, 'utf8')).not.toContain('sk-abcdefghijklmnop');
      await expect(guarded.append(event(2, { apiKey: 'x' }))).rejects.toMatchObject({ code: 'LA_AUDIT_EVENT_INVALID' });
      await expect(guarded.append(event(2, { nested: { password: 'x' } }))).rejects.toMatchObject({ code: 'LA_AUDIT_EVENT_INVALID' });
    });

    it.each([
      ['a reserved field', { seq: 5 }],
      ['a bad outcome', { outcome: 'maybe' }],
      ['a missing action', { action: '' }],
      ['a category that is not a name', { category: 'has space' }],
      ['a Date', { when: new Date() }],
      ['a number that is not finite', { n: Infinity }],
    ])('refuses an event with %s', async (_label, extra) => {
      await expect(log.append(event(1, extra as Partial<AuditEvent>))).rejects.toMatchObject({ code: 'LA_AUDIT_EVENT_INVALID' });
    });

    it('refuses something that is not an object', async () => {
      await expect(log.append(null as unknown as AuditEvent)).rejects.toMatchObject({ code: 'LA_AUDIT_EVENT_INVALID' });
    });

    it('keeps nulls and drops undefined fields', async () => {
      const entry = await log.append(event(1, { extra: null, gone: undefined, list: [1, undefined as unknown as null] }));
      expect(entry).toMatchObject({ extra: null, list: [1, null] });
      expect('gone' in entry).toBe(false);
    });

    it('refuses to chain onto a torn last line, with LA_AUDIT_BROKEN', async () => {
      await appendN(2);
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.slice(0, -10));
      await expect(log.append(event(3))).rejects.toMatchObject({ code: 'LA_AUDIT_BROKEN' });
    });

    it('refuses to chain onto a last line that is not an entry', async () => {
      await appendN(1);
      await writeFile(file, 'not json\n');
      await expect(log.append(event(1))).rejects.toMatchObject({ code: 'LA_AUDIT_BROKEN' });
      await writeFile(file, `${'x'.repeat(2 * 1024 * 1024)}\n`);
      await expect(log.append(event(1))).rejects.toMatchObject({ code: 'LA_AUDIT_BROKEN', message: expect.stringContaining('implausibly long') });
    });

    it('reports a file it cannot open as LA_AUDIT_WRITE', async () => {
      await appendN(1);
      const blocked = new AuditLog({ file: join(home, 'audit') });
      await expect(blocked.append(event(1))).rejects.toMatchObject({ code: 'LA_AUDIT_WRITE' });
    });
  });

  describe('read', () => {
    it('returns entries, filtered by time or seq', async () => {
      await appendN(5);
      expect((await log.readAll()).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect((await log.readAll({ fromSeq: 4 })).map((e) => e.seq)).toEqual([4, 5]);
      expect((await log.readAll({ since: '2025-01-01T00:00:03.000Z' })).map((e) => e.seq)).toEqual([3, 4, 5]);
      expect((await log.readAll({ since: new Date('2025-01-01T00:00:05.000Z') })).map((e) => e.seq)).toEqual([5]);
    });

    it('reads an absent log as empty', async () => {
      expect(await log.readAll()).toEqual([]);
    });

    it('throws LA_AUDIT_BROKEN with the line number on a bad line', async () => {
      await appendN(2);
      await writeFile(file, `${(await lines())[0]}\ngarbage\n`);
      await expect(log.readAll()).rejects.toMatchObject({ code: 'LA_AUDIT_BROKEN', details: { line: 2 } });
    });

    it('reports an unreadable log as LA_STORAGE', async () => {
      const unreadable = new AuditLog({ file: home });
      await expect(unreadable.readAll()).rejects.toMatchObject({ code: 'LA_STORAGE' });
    });
  });

  describe('verify', () => {
    it('accepts an empty or absent log', async () => {
      expect(await log.verify()).toEqual({ ok: true, entries: 0, lastHash: GENESIS_HASH, anchor: 'missing' });
    });

    it('accepts an intact log and returns the last hash', async () => {
      const entries = await appendN(4);
      expect(await log.verify()).toEqual({ ok: true, entries: 4, lastHash: entries[3]!.hash, anchor: 'ok' });
    });

    it('detects an edited field as a hash break on that line', async () => {
      await appendN(4);
      const list = await lines();
      const edited = JSON.parse(list[2]!) as AuditEntry;
      edited.outcome = 'failure';
      list[2] = canonicalJson(edited);
      await writeLines(list);
      expect(await log.verify()).toMatchObject({ ok: false, line: 3, break: 'hash', entries: 2 });
    });

    it('detects an edit whose own hash was recomputed at the next line', async () => {
      await appendN(4);
      const list = await lines();
      const edited = JSON.parse(list[1]!) as AuditEntry;
      edited.actor = 'mallory';
      edited.hash = hashEntry(edited);
      list[1] = canonicalJson(edited);
      await writeLines(list);
      expect(await log.verify()).toMatchObject({ ok: false, line: 3, break: 'chain' });
    });

    it('detects a line reformatted by hand', async () => {
      await appendN(2);
      const list = await lines();
      list[0] = JSON.stringify(JSON.parse(list[0]!), null, 1).replace(/\n/g, '');
      await writeLines(list);
      expect(await log.verify()).toMatchObject({ ok: false, line: 1, break: 'not_canonical' });
    });

    it('detects a deleted middle line at the line after the gap', async () => {
      await appendN(5);
      const list = await lines();
      list.splice(2, 1);
      await writeLines(list);
      expect(await log.verify()).toMatchObject({ ok: false, line: 3, break: 'sequence' });
    });

    it('detects a deletion whose following seq numbers were renumbered', async () => {
      await appendN(5);
      const list = (await lines()).map((l) => JSON.parse(l) as AuditEntry);
      list.splice(1, 1);
      list.forEach((entry, i) => (entry.seq = i + 1));
      await writeLines(list.map((e) => canonicalJson(e)));
      expect(await log.verify()).toMatchObject({ ok: false, line: 2, break: 'chain' });
    });

    it('detects reordered lines at the first moved line', async () => {
      await appendN(5);
      const list = await lines();
      [list[1], list[3]] = [list[3]!, list[1]!];
      await writeLines(list);
      expect(await log.verify()).toMatchObject({ ok: false, line: 2, break: 'sequence' });
    });

    it('detects an inserted line', async () => {
      await appendN(3);
      const list = await lines();
      list.splice(1, 0, list[1]!);
      await writeLines(list);
      expect(await log.verify()).toMatchObject({ ok: false, line: 3, break: 'sequence' });
    });

    it('detects garbage in the middle', async () => {
      await appendN(3);
      const list = await lines();
      list[1] = '{"hello":"world"}';
      await writeLines(list);
      expect(await log.verify()).toMatchObject({ ok: false, line: 2, break: 'malformed' });
      list[1] = '';
      await writeLines(list);
      expect(await log.verify()).toMatchObject({ ok: false, line: 2, break: 'malformed' });
    });

    it('detects a torn last line', async () => {
      await appendN(3);
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.slice(0, -20));
      expect(await log.verify()).toMatchObject({ ok: false, line: 3, break: 'incomplete' });
    });

    it('detects whole entries cut from the end through the head anchor', async () => {
      await appendN(5);
      const list = await lines();
      await writeLines(list.slice(0, 3));
      expect(await log.verify()).toMatchObject({ ok: false, line: 4, break: 'truncated', entries: 3 });
      await writeFile(file, '');
      expect(await log.verify()).toMatchObject({ ok: false, line: 1, break: 'truncated' });
    });

    it('detects a forged replacement of the last entry through the head anchor', async () => {
      await appendN(3);
      const list = await lines();
      await writeLines(list.slice(0, 2));
      // A writer who bypasses the anchor (or an attacker who restored the old anchor afterwards).
      const forger = new AuditLog({ file, anchor: false });
      await forger.append(event(99));
      expect(await log.verify()).toMatchObject({ ok: false, line: 3, break: 'anchor' });
      expect(await forger.verify()).toMatchObject({ ok: true, anchor: 'missing' });
    });

    it('accepts an anchor that lags behind (crash between append and anchor update)', async () => {
      await appendN(2);
      const anchor = await readFile(log.headFile, 'utf8');
      await appendN(1);
      await writeFile(log.headFile, anchor);
      expect(await log.verify()).toMatchObject({ ok: true, entries: 3, anchor: 'behind' });
    });

    it('says when the anchor is missing or unreadable', async () => {
      await appendN(2);
      await rm(log.headFile);
      expect(await log.verify()).toMatchObject({ ok: true, anchor: 'missing' });
      await writeFile(log.headFile, 'nonsense');
      expect(await log.verify()).toMatchObject({ ok: false, line: 3, break: 'anchor' });
      await rm(log.headFile);
      await import('node:fs/promises').then((fs) => fs.mkdir(log.headFile));
      expect(await log.verify()).toMatchObject({ ok: false, break: 'anchor' });
    });
  });
});
