import { afterEach } from 'vitest';
import type { TestDatabase } from '../../../test/support/postgres.js';
import { useTempDirs } from '../../../test/support/tempDir.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { validatePlan, type AltPlanInput, type ParsedPlan } from '../../formats/index.js';
import { RunStore, type RunStoreOptions } from '../../store/index.js';
import { Runner, type RunnerOptions, type RunnerTools } from '../Runner.js';
import { allowAll, limits } from './fakes.js';

export interface Harness {
  home: string;
  workspace: string;
  runsDir: string;
  /** Where the run database is: spread it into `RunStore.open` to open it again (a second "process"). */
  database: TestDatabase;
  store: RunStore;
  runner: Runner;
  /** Another runner over the same store (a second "process" for lease tests needs another owner). */
  runnerWith(options: Partial<RunnerOptions>): Runner;
  close(): Promise<void>;
}

/**
 * A temp home with a workspace, a real run database (a SQLite file in the home, unless `database`
 * names another, such as a PostgreSQL schema) and a runner with the given tools.
 */
export async function harness(
  home: string,
  tools: RunnerTools,
  options: Partial<RunnerOptions> & { storeOptions?: RunStoreOptions; database?: TestDatabase } = {},
): Promise<Harness> {
  const workspace = join(home, 'workspace');
  await mkdir(workspace, { recursive: true });
  const runsDir = join(home, 'runs');
  const database = options.database ?? { file: join(home, 'localagent.db') };
  const { storeOptions, database: _database, ...runnerOptions } = options;
  const store = await RunStore.open({ ...database, ...storeOptions });
  const base: RunnerOptions = {
    store,
    runsDir,
    tools,
    policy: allowAll,
    limits,
    heartbeatMs: 0,
    retry: { base_delay_ms: 5, max_delay_ms: 50, jitter: false },
    ...runnerOptions,
  };
  return {
    home,
    workspace,
    runsDir,
    database,
    store,
    runner: new Runner(base),
    runnerWith: (more) => new Runner({ ...base, ...more }),
    close: () => store.close(),
  };
}

/** A validated plan from a literal (defaults filled in, hash computed). */
export function plan(tasks: AltPlanInput['tasks'], extra: Partial<AltPlanInput> = {}): ParsedPlan {
  return validatePlan({ alt: 1, title: 'test plan', tasks, ...extra });
}

/** A shell task literal (the fakes never run a program). */
export function sh(id: string, extra: Record<string, unknown> = {}): AltPlanInput['tasks'][number] {
  return { id, kind: 'shell', argv: ['echo', id], ...extra } as AltPlanInput['tasks'][number];
}

/** `type:task` for each journal event of a run, in order. */
export async function journal(h: Harness, runId: string): Promise<string[]> {
  return (await h.store.events(runId)).map((e) => (e.taskId ? `${e.type}:${e.taskId}` : e.type));
}

/** A promise with its resolve function, for tools that signal a test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => (resolve = res));
  return { promise, resolve };
}

/**
 * A `setup(tools, options)` for a test file: each harness gets its own temp folder and is closed
 * after its test (before the folder is removed: after-hooks run in reverse order). `newDatabase`
 * (from `describeDialects`) gives each harness its database; default: SQLite in the temp folder.
 */
export function useHarnesses(newDatabase?: () => Promise<TestDatabase>): (tools: RunnerTools, options?: Parameters<typeof harness>[2]) => Promise<Harness> {
  const tempDir = useTempDirs();
  const open: Harness[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  return async (tools, options = {}) => {
    const h = await harness(await tempDir(), tools, { ...(newDatabase ? { database: await newDatabase() } : {}), ...options });
    open.push(h);
    return h;
  };
}
