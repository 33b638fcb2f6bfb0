import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, type CliRun } from '../support/cliHarness.js';
import { describeDialects, urlWithSchema } from '../support/postgres.js';
import { useTempDirs } from '../support/tempDir.js';

const tempDir = useTempDirs();
const EXAMPLE = new URL('../../examples/hello.alt.yaml', import.meta.url).pathname;
const BUNDLE = new URL('../../examples/runs.atlas.jsonl', import.meta.url).pathname;

interface Atlas {
  run_id: string;
  status: string;
  command?: string;
  tasks: { id: string; kind: string; success: boolean; latency_ms?: number }[];
  feedback: { rating: number; comment?: string; task?: string; by?: string }[];
}

describeDialects('localagent archive and feedback', ({ newDatabase, dialect }) => {
  async function setup(): Promise<{ ws: string; la: (argv: string[]) => Promise<CliRun> }> {
    const home = await tempDir();
    const ws = await tempDir();
    const target = await newDatabase();
    const env: NodeJS.ProcessEnv = { USER: 'tester', ...(target.url ? { LOCALAGENT_DATABASE_URL: urlWithSchema(target.url, target.schema) } : {}) };
    return { ws, la: (argv) => runInProcess(['--home', home, ...argv], { cwd: ws, env }) };
  }

  it('archives a finished run, shows, searches, rates and counts it', async () => {
    const { la } = await setup();
    const run = await la(['run', EXAMPLE, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const runId = (JSON.parse(run.stdout) as { run_id: string }).run_id;

    const shown = await la(['archive', 'show', runId, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const { record } = JSON.parse(shown.stdout) as { record: Atlas; source: string };
    expect(record).toMatchObject({ run_id: runId, status: 'success', command: 'say hello, save it to out/hello.txt and give it back in capitals', feedback: [] });
    expect(record.tasks.map((t) => [t.id, t.kind, t.success])).toEqual([
      ['greet', 'shell', true],
      ['save', 'fs', true],
      ['shout', 'transform', true],
    ]);
    const human = await la(['archive', 'show', runId]);
    expect(human.stdout).toContain(`${runId}: success · success rate 100 % · Say hello`);
    expect(human.stdout).toMatch(/greet\s+shell\s+succeeded/);
    expect(human.stdout).toContain(`localagent feedback ${runId} --rating 1..5`);

    // The shell task's output ("hello world") and the command are in the index.
    for (const query of ['"hello world"', 'command:capitals', 'title:hello', 'output:world']) {
      const found = await la(['archive', 'search', query, '--json']);
      expect(found.code, `${query}: ${found.stderr}`).toBe(0);
      expect((JSON.parse(found.stdout) as { run_id: string }[]).map((h) => h.run_id), query).toEqual([runId]);
    }
    expect((await la(['archive', 'search', 'hello', '--status', 'failure', '--json'])).stdout.trim()).toBe('[]');
    expect((await la(['archive', 'search', 'nothing-like-this'])).stdout).toContain('No archived run matches.');
    const table = await la(['archive', 'search', 'hello']);
    expect(table.stdout).toMatch(new RegExp(`${runId}\\s+success\\s+\\S+ \\S+\\s+3/3 ok\\s+Say hello`));

    const rated = await la(['feedback', runId, '--rating', '4', '--comment', 'fine', '--task', 'greet']);
    expect(rated.code, rated.stderr).toBe(0);
    expect(rated.stdout).toContain(`Rated task greet of ${runId}: 4/5. The run has 1 rating, mean 4.0.`);
    const ratedJson = JSON.parse((await la(['feedback', runId, '--rating', '2', '--json'])).stdout) as { record: Atlas };
    expect(ratedJson.record.feedback).toEqual([expect.objectContaining({ rating: 4, comment: 'fine', task: 'greet', by: 'tester' }), expect.objectContaining({ rating: 2, by: 'tester' })]);

    const byKind = JSON.parse((await la(['archive', 'stats', '--by', 'kind', '--json'])).stdout) as { unit: string; rows: { group: string; count: number; success_rate: number; rating_mean: number | null }[] };
    expect(byKind.unit).toBe('tasks');
    expect(byKind.rows.map((r) => [r.group, r.count, r.success_rate]).sort()).toEqual([
      ['fs', 1, 1],
      ['shell', 1, 1],
      ['transform', 1, 1],
    ]);
    // The run's rating (2) counts for every kind; the task's (4), for shell only.
    expect(byKind.rows.find((r) => r.group === 'shell')?.rating_mean).toBe(3);
    expect(byKind.rows.find((r) => r.group === 'fs')?.rating_mean).toBe(2);
    const byPlan = await la(['archive', 'stats', '--by', 'plan']);
    expect(byPlan.stdout).toMatch(/PLAN\s+RUNS\s+SUCCESS\s+P50\s+P95/);
    expect(byPlan.stdout).toContain('Say hello (');
    expect((await la(['archive', 'stats'])).stdout).toContain('No archived task was answered by a model.');
  });

  it('exports, imports (twice: nothing new the second time) and prunes', async () => {
    const first = await setup();
    const run = await first.la(['run', EXAMPLE, '--json']);
    const runId = (JSON.parse(run.stdout) as { run_id: string }).run_id;
    await first.la(['feedback', runId, '--rating', '5']);
    const exported = await first.la(['archive', 'export', 'out.atlas.jsonl']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toBe('Exported 1 record to out.atlas.jsonl.\n');
    const bundle = await readFile(join(first.ws, 'out.atlas.jsonl'), 'utf8');

    const second = await setup();
    await writeFile(join(second.ws, 'in.atlas.jsonl'), bundle);
    const imported = await second.la(['archive', 'import', 'in.atlas.jsonl']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toBe('Imported 1 new record from in.atlas.jsonl.\n1 feedback entry added.\n');
    const again = JSON.parse((await second.la(['archive', 'import', 'in.atlas.jsonl', '--json'])).stdout) as Record<string, unknown>;
    expect(again).toEqual({ file: 'in.atlas.jsonl', records: 1, added: 0, skipped: 1, feedbackAdded: 0 });
    expect(((JSON.parse((await second.la(['archive', 'show', runId, '--json'])).stdout) as { record: Atlas }).record.feedback).map((f) => f.rating)).toEqual([5]);
    const examples = await second.la(['archive', 'import', BUNDLE, '--json']);
    expect(examples.code, examples.stderr).toBe(0);
    expect(JSON.parse(examples.stdout)).toMatchObject({ added: 3, skipped: 0 });

    const pruned = await first.la(['archive', 'prune', '--older-than', '0d', '--json']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(JSON.parse(pruned.stdout)).toMatchObject({ archivedRuns: 1, runs: 1 });
    expect((await first.la(['runs', 'show', runId])).code).toBe(1);
  });

  it('says what is wrong: usage errors exit 2, a bad bundle names its line, unknown runs are named', async () => {
    const { ws, la } = await setup();
    const cases: [string[], number, RegExp][] = [
      [['feedback', 'run-x', '--rating', '7'], 2, /--rating "7" is not a whole number from 1 to 5/],
      [['archive', 'search', 'x', '--since', 'yesterday'], 2, /--since "yesterday" is neither an age/],
      [['archive', 'search', 'x', '--status', 'done'], 2, /--status "done" is not a run status/],
      [['archive', 'stats', '--by', 'week'], 2, /LA_USAGE/],
      [['archive', 'prune'], 2, /--older-than/],
      [['archive', 'search', '"open'], 1, /LA_SEARCH_QUERY_INVALID.*a quote is opened and not closed/],
      [['archive', 'show', 'run-nope'], 1, /LA_RUN_NOT_FOUND/],
      [['feedback', 'run-nope', '--rating', '3'], 1, /LA_RUN_NOT_FOUND/],
    ];
    for (const [argv, code, pattern] of cases) {
      const result = await la(argv);
      expect(result.code, argv.join(' ')).toBe(code);
      expect(result.stderr, argv.join(' ')).toMatch(pattern);
    }
    await writeFile(join(ws, 'bad.atlas.jsonl'), `${(await readFile(BUNDLE, 'utf8')).split('\n')[0]}\n{"atlas": 1, "run_id": "x"\n`);
    const bad = await la(['archive', 'import', 'bad.atlas.jsonl', '--json']);
    expect(bad.code).toBe(1);
    const error = (JSON.parse(bad.stderr) as { error: { code: string; message: string; details: { line: number } } }).error;
    expect(error).toMatchObject({ code: 'LA_ARCHIVE_IMPORT_INVALID', details: { line: 2 } });
    expect(error.message).toMatch(/^bad\.atlas\.jsonl, line 2: not valid JSON/);
    expect((await la(['archive', 'search', 'release', '--json'])).stdout.trim()).toBe('[]');
    expect(dialect === 'sqlite' || dialect === 'postgres').toBe(true);
  });
});

describe('localagent archive on a database from a newer LocalAgent', () => {
  it('refuses with LA_DB_TOO_NEW and leaves the database alone', async () => {
    const home = await tempDir();
    const la = (argv: string[]): Promise<CliRun> => runInProcess(['--home', home, ...argv], { cwd: home, env: {} });
    expect((await la(['archive', 'stats'])).code).toBe(0);
    const BetterSqlite3 = (await import('better-sqlite3')).default;
    const raw = new BetterSqlite3(join(home, 'localagent.db'));
    raw.prepare("insert into migrations (version, name, applied_at) values (999, 'from the future', '2099-01-01T00:00:00.000Z')").run();
    raw.close();
    const refused = await la(['archive', 'stats']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/LA_DB_TOO_NEW/);
  });
});
