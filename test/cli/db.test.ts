import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { MIGRATIONS } from '../../src/store/index.js';
import { runInProcess, type CliRun } from '../support/cliHarness.js';
import { describeDialects, urlWithSchema, type TestDatabase } from '../support/postgres.js';
import { useTempDirs } from '../support/tempDir.js';

const tempDir = useTempDirs();
const LATEST = MIGRATIONS.length;

interface StatusJson {
  dialect: string;
  where: string;
  exists: boolean;
  version: number;
  latest: number;
  state: string;
  pending: { version: number; name: string }[];
  applied: { version: number; name: string; appliedAt: string }[];
}

interface VerifyJson {
  ok: boolean;
  logs: { file: string; ok: boolean; entries: number; database?: { state: string; where?: string; fileEntries?: number; databaseEntries?: number; missing?: number; mismatch?: { seq: number; reason: string } } }[];
}

/** A home whose database is `at`: the SQLite file in the home, or PostgreSQL through LOCALAGENT_DATABASE_URL (with a password, which trust auth ignores). */
async function homeFor(at: TestDatabase): Promise<{ home: string; env: NodeJS.ProcessEnv; la: (argv: string[]) => Promise<CliRun> }> {
  const home = at.file !== undefined ? join(at.file, '..') : await tempDir();
  const env: NodeJS.ProcessEnv = { USER: 'tester' };
  if (at.url !== undefined) {
    const url = new URL(urlWithSchema(at.url, at.schema));
    url.password = 'hunter2-not-shown';
    env.LOCALAGENT_DATABASE_URL = url.toString();
  }
  return { home, env, la: (argv) => runInProcess(['--home', home, ...argv], { env, cwd: home }) };
}

describeDialects('localagent db', ({ dialect, newDatabase }) => {
  it('status shows where the database is (password masked) and what is pending; migrate applies it', async () => {
    const { la } = await homeFor(await newDatabase());
    const before = await la(['db', 'status', '--json']);
    expect(before.code, before.stderr).toBe(0);
    const status = JSON.parse(before.stdout) as StatusJson;
    expect(status).toMatchObject({ dialect, version: 0, latest: LATEST, state: 'pending', applied: [] });
    expect(status.exists).toBe(dialect === 'postgres');
    expect(status.pending.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    if (dialect === 'sqlite') expect(status.where).toMatch(/localagent\.db$/);
    else expect(status.where).toMatch(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\/test\?options=/);

    const text = await la(['db', 'status']);
    expect(text.stdout).toContain(`schema    version 0 of ${LATEST}: ${LATEST} pending`);
    expect(text.stdout).toContain(`pending   1  ${MIGRATIONS[0]!.name}`);

    const migrated = await la(['db', 'migrate', '--json']);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(JSON.parse(migrated.stdout)).toMatchObject({ dialect, from: 0, version: LATEST, applied: MIGRATIONS.map((m) => ({ version: m.version, name: m.name })) });
    const again = await la(['db', 'migrate']);
    expect(again.stdout).toContain(`already at schema version ${LATEST}; nothing to apply`);
    const after = JSON.parse((await la(['db', 'status', '--json'])).stdout) as StatusJson;
    expect(after).toMatchObject({ exists: true, version: LATEST, state: 'up_to_date', pending: [] });
    expect(after.applied).toHaveLength(LATEST);
    expect((await la(['db', 'status'])).stdout).toContain('up to date');
    for (const run of [before, text, migrated, again]) expect(run.stdout + run.stderr).not.toContain('hunter2');
  });

  it('status says so, and exits 1, for a database from a newer LocalAgent; migrate refuses it untouched', async () => {
    const at = await newDatabase();
    const { home, env, la } = await homeFor(at);
    expect((await la(['db', 'migrate'])).code).toBe(0);
    const app = await createApp({ home, cwd: home, env, logStream: false });
    await (await app.database()).db.insertInto('migrations').values({ version: LATEST + 1, name: 'from the future', applied_at: '2030-01-01T00:00:00.000Z' }).execute();
    await app.close();
    const status = await la(['db', 'status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('written by a newer LocalAgent');
    const migrate = await la(['db', 'migrate', '--json']);
    expect(migrate.code).toBe(1);
    expect(JSON.parse(migrate.stderr)).toMatchObject({ error: { code: 'LA_DB_TOO_NEW' } });
    expect(migrate.stderr).not.toContain('hunter2');
  });
});

describeDialects('the security audit log in the database', ({ newDatabase }) => {
  it('copies each entry, and audit verify checks that the copy matches the file', async () => {
    const { home, env, la } = await homeFor(await newDatabase());
    const app = await createApp({ home, cwd: home, env, logStream: false });
    const audit = await app.securityAudit();
    await audit.append({ category: 'policy', action: 'shell.exec', outcome: 'denied', subject: 'rm', actor: 'tester' });
    await audit.appendMany([
      { category: 'approval', action: 'request', outcome: 'approval_required', subject: 'run-1/ask' },
      { category: 'approval', action: 'approve', outcome: 'success', subject: 'run-1/ask', actor: 'tester' },
    ]);
    const store = await app.database();
    const rows = await store.db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
    expect(rows.map((r) => [r.seq, r.category, r.action, r.outcome])).toEqual([
      [1, 'policy', 'shell.exec', 'denied'],
      [2, 'approval', 'request', 'approval_required'],
      [3, 'approval', 'approve', 'success'],
    ]);
    expect(new Set(rows.map((r) => r.log_id)).size).toBe(1);
    await app.close();

    const ok = await la(['audit', 'verify', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const report = JSON.parse(ok.stdout) as VerifyJson;
    const security = report.logs.find((l) => l.file.endsWith('security.audit.jsonl'));
    expect(security).toMatchObject({ ok: true, entries: 3, database: { state: 'match', fileEntries: 3, databaseEntries: 3, missing: 0 } });
    expect(ok.stdout).not.toContain('hunter2');
    expect((await la(['audit', 'verify'])).stdout).toMatch(/database copy .*: matches, 3 entries/);

    // Someone edits the copy in the database: verify says which entry and fails.
    const tamper = await createApp({ home, cwd: home, env, logStream: false });
    await (await tamper.database()).db.updateTable('audit_events').set({ outcome: 'allowed', entry: 'edited' }).where('seq', '=', 1).execute();
    await tamper.close();
    const bad = await la(['audit', 'verify']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('MISMATCH');
    expect(bad.stdout).toContain('entry 1 differs from the file');
  });

  it('catches up on entries written while the copy could not be made', async () => {
    const { home, env, la } = await homeFor(await newDatabase());
    // Entries written before this LocalAgent copied them (or while the database was down).
    const { AuditLog } = await import('../../src/security/audit/index.js');
    const plain = new AuditLog({ file: join(home, 'audit', 'security.audit.jsonl') });
    await plain.append({ category: 'policy', action: 'shell.exec', outcome: 'denied', subject: 'one' });
    await plain.append({ category: 'policy', action: 'shell.exec', outcome: 'denied', subject: 'two' });
    const behind = JSON.parse((await la(['audit', 'verify', '--json'])).stdout) as VerifyJson;
    expect(behind.ok).toBe(true);
    expect(behind.logs[0]?.database).toMatchObject({ state: 'behind', missing: 2 });
    expect((await la(['audit', 'verify'])).stdout).toContain('2 of 2 entries not copied yet');

    const app = await createApp({ home, cwd: home, env, logStream: false });
    await (await app.securityAudit()).append({ category: 'policy', action: 'shell.exec', outcome: 'denied', subject: 'three' });
    await app.close();
    const caught = JSON.parse((await la(['audit', 'verify', '--json'])).stdout) as VerifyJson;
    expect(caught.logs[0]?.database).toMatchObject({ state: 'match', databaseEntries: 3 });
  });

});

describe('a database that cannot be used', () => {
  it('keeps the entry in the file when the database cannot take it, and says the copy is unchecked', async () => {
    const home = await tempDir();
    const env = { USER: 'tester', LOCALAGENT_DATABASE_URL: 'postgres://bob:hunter2-not-shown@127.0.0.1:1/nowhere' }; // secret-scan: allow (fake value for a test or benchmark)
    const app = await createApp({ home, cwd: home, env, logStream: false });
    await (await app.securityAudit()).append({ category: 'policy', action: 'shell.exec', outcome: 'denied', subject: 'rm' });
    await app.close();
    const la = (argv: string[]) => runInProcess(['--home', home, ...argv], { env, cwd: home });
    const shown = JSON.parse((await la(['audit', 'show', '--json'])).stdout) as unknown[];
    expect(shown).toHaveLength(1);
    const verify = await la(['audit', 'verify']);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('ok      ');
    expect(verify.stdout).toContain('UNCHECKED');
    expect(verify.stdout).toContain('LA_DB_UNAVAILABLE');
    expect(verify.stdout + verify.stderr).not.toContain('hunter2');
  });

  it('config show does not print the password of database.url', async () => {
    const home = await tempDir();
    await writeFile(join(home, 'config.yaml'), 'database:\n  url: postgres://bob:hunter2-not-shown@db.example:5432/la\n'); // secret-scan: allow (fake value for a test or benchmark)
    const run = await runInProcess(['--home', home, 'config', 'show'], { env: {}, cwd: home });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('db.example:5432/la');
    expect(run.stdout).not.toContain('hunter2');
  });

  it('refuses a database URL that is not PostgreSQL without echoing it', async () => {
    const home = await tempDir();
    await writeFile(join(home, 'config.yaml'), 'database:\n  url: mysql://root:hunter2-not-shown@db/la\n'); // secret-scan: allow (fake value for a test or benchmark)
    const run = await runInProcess(['--home', home, 'db', 'status'], { env: {}, cwd: home });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('LA_DB_URL_INVALID');
    expect(run.stderr).toContain('database.url is not a PostgreSQL URL');
    expect(run.stderr).not.toContain('hunter2');
  });
});
