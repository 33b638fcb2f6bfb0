import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDialects } from '../../test/support/postgres.js';
import { runChild, type ChildBuild } from '../../test/support/compileForChild.js';
import { useTempDirs } from '../../test/support/tempDir.js';
import { MIGRATIONS, RunStore } from '../store/index.js';
import { Runner } from './index.js';
import { allowAll, limits } from './test-support/fakes.js';
import { compileRunnerForChild } from './test-support/compileRunnerForChild.js';
import { plan, sh } from './test-support/harness.js';

const tempDir = useTempDirs();
let build: ChildBuild;

beforeAll(async () => {
  build = await compileRunnerForChild();
}, 60_000);
afterAll(async () => {
  await build.cleanup();
});

/** A "shell" tool whose side effect is a line in a file: `<task> <pid>`. The task `slow` hangs in the child. */
const TOOL = `
import { appendFileSync } from 'node:fs';
export function sideEffectTool(file, hangOn) {
  return {
    kind: 'shell',
    async run(task) {
      appendFileSync(file, task.id + ' ' + process.pid + '\\n');
      if (task.id === hangOn) {
        process.stdout.write('HANGING\\n');
        await new Promise(() => {});
      }
      await new Promise((resolve) => setTimeout(resolve, 3));
      return { id: task.id, pid: process.pid };
    },
  };
}
`;

const CHILD = `
import { RunStore } from './store/index.js';
import { Runner } from './runner/index.js';
import { sideEffectTool } from './tool.mjs';
const [database, runsDir, workspace, sideFile, planFile] = process.argv.slice(2);
const store = await RunStore.open(JSON.parse(database));
const runner = new Runner({
  store, runsDir, tools: { shell: sideEffectTool(sideFile, 'slow') },
  policy: { decide: async () => ({ effect: 'allow', reason: 'test' }) },
  limits: { maxOutputBytes: 1000, maxReadBytes: 1000, defaultTimeoutMs: 60000 },
  heartbeatMs: 200,
});
const parsed = JSON.parse(await (await import('node:fs/promises')).readFile(planFile, 'utf8'));
const { runId } = await runner.start(parsed, { workspace, concurrency: 3, runId: 'run-crash' });
process.stdout.write('STARTED ' + runId + '\\n');
`;

function waitForLine(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (data: string) => {
      out += data;
      if (out.includes(text)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited (${String(code)}) before printing ${text}: ${out}`)));
  });
}

describeDialects('crash and resume (kill -9)', ({ newDatabase }) => {
  it('resumes a killed run: finished tasks never run again, interrupted ones run again, the lease keeps a second process out', async () => {
    const home = await tempDir();
    const workspace = join(home, 'ws');
    await mkdir(workspace);
    const database = await newDatabase();
    const runsDir = join(home, 'runs');
    const sideFile = join(home, 'side-effects.txt');
    await writeFile(sideFile, '');
    // Ten quick tasks, a slow one that hangs in the child (picked first once t2 is done), and two that need it.
    const tasks = [...Array.from({ length: 10 }, (_, i) => sh(`t${i}`)), sh('slow', { needs: ['t2'], priority: 10 }), sh('after', { needs: ['slow'] }), sh('last', { needs: ['after', 't9'] })];
    const parsed = plan(tasks);
    const planFile = join(home, 'plan.json');
    await writeFile(planFile, JSON.stringify(parsed));
    await build.script('tool.mjs', TOOL);
    const script = await build.script('crash-child.mjs', CHILD);

    const child = spawn(process.execPath, [script, JSON.stringify(database), runsDir, workspace, sideFile, planFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await waitForLine(child, 'HANGING');
    // Let the other slots work a little, so the kill lands with tasks finished, running and not started.
    await new Promise((resolve) => setTimeout(resolve, 15));

    const store = await RunStore.open(database);
    const { sideEffectTool } = (await import(join(build.dir, 'tool.mjs'))) as { sideEffectTool: (file: string, hangOn: string) => never };
    const runner = new Runner({ store, runsDir, tools: { shell: sideEffectTool(sideFile, 'none') }, policy: allowAll, limits, heartbeatMs: 0 });
    // While the child lives, its lease keeps this process out.
    await expect(runner.resume('run-crash')).rejects.toMatchObject({ code: 'LA_RUN_BUSY' });

    child.kill('SIGKILL');
    await exited;
    const before = await store.events('run-crash');
    const finished = new Set(before.filter((e) => e.type === 'task_succeeded').map((e) => e.taskId as string));
    const startedOnly = new Set(before.filter((e) => e.type === 'task_started' && !finished.has(e.taskId as string)).map((e) => e.taskId as string));
    expect(finished.size).toBeGreaterThan(0);
    expect(startedOnly.has('slow')).toBe(true);
    expect(before.some((e) => e.type === 'run_finished')).toBe(false);

    // The child is gone: its lease is taken over at once (same host, dead pid).
    const last = await (await runner.resume('run-crash')).done;
    expect(last.status).toBe('success');

    const lines = (await readFile(sideFile, 'utf8')).trim().split('\n');
    const count = (id: string): number => lines.filter((line) => line.startsWith(`${id} `)).length;
    for (const task of parsed.plan.tasks) {
      if (finished.has(task.id)) {
        // Exactly once: it finished in the child and was never run again.
        expect(count(task.id), task.id).toBe(1);
        expect((last.tasks.find((t) => t.id === task.id)?.output as { pid: number }).pid).toBe(child.pid);
      } else if (startedOnly.has(task.id)) {
        // At least once: it may have done its work in the child before the kill, and ran again here.
        expect(count(task.id), task.id).toBeGreaterThanOrEqual(1);
        expect(count(task.id), task.id).toBeLessThanOrEqual(2);
        expect((last.tasks.find((t) => t.id === task.id)?.output as { pid: number }).pid).toBe(process.pid);
      } else {
        expect(count(task.id), task.id).toBe(1);
      }
    }
    expect(last.tasks.find((t) => t.id === 'slow')?.attempts).toBe(2);
    await store.close();
  }, 60_000);

  it('applies each migration once when two processes open a fresh database together', async () => {
    const database = await newDatabase();
    const script = await build.script(
      'open-child.mjs',
      `import { openStore } from './store/index.js';
const store = await openStore(JSON.parse(process.argv[2]));
const rows = await store.db.selectFrom('migrations').selectAll().execute();
process.stdout.write(JSON.stringify({ version: store.version, rows: rows.length }));
await store.close();`,
    );
    const results = await Promise.all([runChild(script, [JSON.stringify(database)]), runChild(script, [JSON.stringify(database)]), runChild(script, [JSON.stringify(database)])]);
    for (const result of results) {
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual({ version: MIGRATIONS.length, rows: MIGRATIONS.length });
    }
  }, 60_000);
});
