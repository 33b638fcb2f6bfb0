import { randomBytes } from 'node:crypto';
import { rename, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runInProcess, type CliRun } from '../support/cliHarness.js';
import { useTempDirs } from '../support/tempDir.js';
import { filesContaining } from './support/scan.js';

/**
 * `security.encrypt_results: true` end to end through the CLI: a run's results reach no file in
 * plain text, LocalAgent's own commands still show them, and a missing key, a wrong key or an
 * altered ciphertext give a clear LA_ error instead of a stack trace or garbage.
 */
const tempDir = useTempDirs();
const PASSWORD = 'correct horse battery';

interface Setup {
  home: string;
  ws: string;
  /** The output the plan produces: it appears nowhere in the plan, so any copy on disk is a leak. */
  sentinel: string;
  la: (argv: string[], env?: NodeJS.ProcessEnv) => Promise<CliRun>;
}

async function setup(encrypt = true): Promise<Setup> {
  const home = await tempDir('la-enc-home-');
  const ws = await tempDir('la-enc-ws-');
  await writeFile(join(home, 'config.yaml'), `keys:\n  backend: file\nsecurity:\n  encrypt_results: ${encrypt}\n`);
  const a = `zq${randomBytes(5).toString('hex')}`;
  const b = `${randomBytes(5).toString('hex')}xv`;
  // printf joins the halves: the joined text exists only as the task's output (and upper-cased, as the transform's).
  await writeFile(
    join(ws, 'plan.alt.yaml'),
    `alt: 1\ntitle: private numbers\ntasks:\n  - id: make\n    kind: shell\n    argv: [printf, "%s%s", "${a}", "${b}"]\n  - id: shout\n    kind: transform\n    needs: [make]\n    expr: $uppercase(tasks.make.output.stdout)\n`,
  );
  const la = (argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> => {
    const stdin = new PassThrough();
    stdin.end('');
    return runInProcess(['--home', home, ...argv], { cwd: ws, stdin, env: { LOCALAGENT_MASTER_PASSWORD: PASSWORD, USER: 'tester', ...env } });
  };
  return { home, ws, sentinel: a + b, la };
}

function runIdOf(run: CliRun): string {
  return (JSON.parse(run.stdout) as { run_id: string }).run_id;
}

/** Flips one bit in the payload of a sealed value. */
function flipBit(sealed: string): string {
  const at = sealed.lastIndexOf(':') + 1;
  const bytes = Buffer.from(sealed.slice(at), 'base64url');
  bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 0x04;
  return sealed.slice(0, at) + bytes.toString('base64url');
}

// Every command unlocks the vault (scrypt, 128 MiB): generous time on a busy machine; nothing asserts a time.
describe('security.encrypt_results through the CLI', { timeout: 120_000 }, () => {
  it('a run leaves its output in no file under the home or the workspace, and LocalAgent still shows it', async () => {
    const { home, ws, sentinel, la } = await setup();
    const run = await la(['run', 'plan.alt.yaml', '-o', 'out.last', '--json']);
    expect(run.code, run.stderr).toBe(0);
    // The person asked for the result on the terminal: they get it in the clear.
    expect(run.stdout).toContain(sentinel);
    expect(run.stdout).toContain(sentinel.toUpperCase());
    const runId = runIdOf(run);

    // Every file: the database (and its WAL), the runs folder, logs, audit logs, the vault, -o.
    const leaks = [...(await filesContaining(home, [sentinel, sentinel.toUpperCase()])), ...(await filesContaining(ws, [sentinel, sentinel.toUpperCase()]))];
    expect(leaks).toEqual([]);

    const stored = JSON.parse(await readFile(join(home, 'runs', `${runId}.last.json`), 'utf8')) as Record<string, unknown>;
    expect(stored).toEqual({ last_encrypted: 1, cipher: expect.stringMatching(/^la-enc:v1:[0-9a-f]{16}:/) });
    expect(JSON.parse(await readFile(join(ws, 'out.last'), 'utf8'))).toEqual({ last_encrypted: 1, cipher: expect.stringMatching(/^la-enc:v1:/) });

    const shown = await la(['runs', 'show', runId, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ run_id: runId, status: 'success', tasks: [{ id: 'make', output: { stdout: sentinel } }, { id: 'shout', output: sentinel.toUpperCase() }] });
    const fromFile = await la(['runs', 'show', 'out.last', '--json']);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toEqual(JSON.parse(shown.stdout));
    const text = await la(['runs', 'show', runId]);
    expect(text.stdout).toMatch(/make\s+succeeded/);
    expect((await la(['runs', 'list', '--json'])).stdout).toContain(runId);
    const resumed = await la(['runs', 'resume', runId, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(sentinel);

    // The key's use is audited, and the doctor says where it is and to back it up.
    const audit = await readFile(join(home, 'audit', 'keys.audit.jsonl'), 'utf8');
    expect(audit).toContain('"provider":"data-key:results"');
    const doctor = await la(['config', 'doctor', '--json']);
    const report = JSON.parse(doctor.stdout) as { results_encryption: { enabled: boolean; data_key: { backend: string; fingerprint: string }; backup: string } };
    expect(report.results_encryption).toMatchObject({ enabled: true, data_key: { backend: 'file' } });
    expect(stored.cipher).toContain(`:${report.results_encryption.data_key.fingerprint.replace('sha256:', '')}:`);
    expect(report.results_encryption.backup).toMatch(/vault\.json together with its master password/);
    expect((await la(['config', 'doctor'])).stdout).toMatch(/results\s+encrypted · data key sha256:[0-9a-f]{16} in the vault file/);
  });

  it('without the key (encryption turned off): LA_RESULTS_ENCRYPTED, no stack trace, nothing shown', async () => {
    const { sentinel, la } = await setup();
    const runId = runIdOf(await la(['run', 'plan.alt.yaml', '-o', 'out.last', '--json']));
    const off = { LOCALAGENT_SECURITY__ENCRYPT_RESULTS: 'false' };
    for (const target of [runId, 'out.last']) {
      const shown = await la(['runs', 'show', target], off);
      expect(shown.code).toBe(1);
      expect(shown.stderr).toContain('LA_RESULTS_ENCRYPTED');
      expect(shown.stderr).toContain('encrypt_results');
      expect(shown.stderr).not.toMatch(/\n\s+at /);
      expect(shown.stdout + shown.stderr).not.toContain(sentinel);
    }
    // Turned back on, everything reads again.
    expect((await la(['runs', 'show', runId, '--json'])).stdout).toContain(sentinel);
  });

  it('with another key (the vault was lost and a new key made): LA_RESULTS_KEY_MISMATCH naming both keys', async () => {
    const { home, sentinel, la } = await setup();
    const runId = runIdOf(await la(['run', 'plan.alt.yaml', '-o', 'out.last', '--json']));
    await rename(join(home, 'vault.json'), join(home, 'vault.json.lost'));
    for (const target of [runId, 'out.last']) {
      const shown = await la(['runs', 'show', target, '--json']);
      expect(shown.code).toBe(1);
      const error = (JSON.parse(shown.stderr) as { error: { code: string; message: string; suggestion: string } }).error;
      expect(error.code).toBe('LA_RESULTS_KEY_MISMATCH');
      expect(error.suggestion).toMatch(/backup/);
      expect(shown.stdout + shown.stderr).not.toContain(sentinel);
    }
    // Restoring the backup brings the results back.
    await rename(join(home, 'vault.json.lost'), join(home, 'vault.json'));
    expect((await la(['runs', 'show', 'out.last', '--json'])).stdout).toContain(sentinel);
  });

  it('a flipped bit in the .last file or in the database: LA_RESULTS_TAMPERED, nothing shown, the file unchanged', async () => {
    const { home, ws, sentinel, la } = await setup();
    const runId = runIdOf(await la(['run', 'plan.alt.yaml', '-o', 'out.last', '--json']));

    const file = join(ws, 'out.last');
    const envelope = JSON.parse(await readFile(file, 'utf8')) as { cipher: string };
    const tampered = JSON.stringify({ ...envelope, cipher: flipBit(envelope.cipher) });
    await writeFile(file, tampered);
    const fromFile = await la(['runs', 'show', 'out.last']);
    expect(fromFile.code).toBe(1);
    expect(fromFile.stderr).toContain('LA_RESULTS_TAMPERED');
    expect(fromFile.stderr).not.toMatch(/\n\s+at /);
    expect(await readFile(file, 'utf8')).toBe(tampered);

    const db = new BetterSqlite3(join(home, 'localagent.db'));
    try {
      const row = db.prepare('SELECT last FROM results WHERE run_id = ?').get(runId) as { last: string };
      expect(row.last).toMatch(/^la-enc:v1:/);
      db.prepare('UPDATE results SET last = ? WHERE run_id = ?').run(flipBit(row.last), runId);
    } finally {
      db.close();
    }
    const fromDb = await la(['runs', 'show', runId]);
    expect(fromDb.code).toBe(1);
    expect(fromDb.stderr).toContain('LA_RESULTS_TAMPERED');
    expect(fromDb.stdout + fromDb.stderr).not.toContain(sentinel);
  });

  it('no master password for the vault: the run does not start, and nothing is written', async () => {
    const { home, ws, sentinel, la } = await setup();
    const run = await la(['run', 'plan.alt.yaml', '-o', 'out.last'], { LOCALAGENT_MASTER_PASSWORD: '' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('LA_MASTER_PASSWORD_REQUIRED');
    expect([...(await filesContaining(home, [sentinel])), ...(await filesContaining(ws, [sentinel]))]).toEqual([]);
    expect((await la(['runs', 'list', '--json'])).stdout.trim()).toBe('[]');
  });

  it('results stored before encryption was turned on stay readable after', async () => {
    const { home, sentinel, la } = await setup(false);
    const plain = runIdOf(await la(['run', 'plan.alt.yaml', '--json']));
    expect((await filesContaining(home, [sentinel])).length).toBeGreaterThan(0);
    await writeFile(join(home, 'config.yaml'), 'keys:\n  backend: file\nsecurity:\n  encrypt_results: true\n');
    const shown = await la(['runs', 'show', plain, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(sentinel);
    expect((await la(['runs', 'show', join(home, 'runs', `${plain}.last.json`), '--json'])).stdout).toContain(sentinel);
  });
});
