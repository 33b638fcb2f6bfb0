import { afterEach } from 'vitest';
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
  dbFile: string;
  store: RunStore;
  runner: Runner;
  /** Another runner over the same store (a second "process" for lease tests needs another owner). */
  runnerWith(options: Partial<RunnerOptions>): Runner;
  close(): Promise<void>;
}

/** A temp home with a real SQLite file, a workspace and a runner with the given tools. */
export async function harness(
  home: string,
  tools: RunnerTools,
  options: Partial<RunnerOptions> & { storeOptions?: RunStoreOptions } = {},
): Promise<Harness> {
  const workspace = join(home, 'workspace');
  await mkdir(workspace, { recursive: true });
  const runsDir = join(home, 'runs');
  const dbFile = join(home, 'localagent.db');
  const store = await RunStore.open({ file: dbFile, ...options.storeOptions });
  const base: RunnerOptions = {
    store,
    runsDir,
    tools,
    policy: allowAll,
    limits,
    heartbeatMs: 0,
    retry: { base_delay_ms: 5, max_delay_ms: 50, jitter: false },
    ...options,
  };
  return {
    home,
    workspace,
    runsDir,
    dbFile,
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
 * after its test (before the folder is removed: after-hooks run in reverse order).
 */
export function useHarnesses(): (tools: RunnerTools, options?: Parameters<typeof harness>[2]) => Promise<Harness> {
  const tempDir = useTempDirs();
  const open: Harness[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  return async (tools, options = {}) => {
    const h = await harness(await tempDir(), tools, options);
    open.push(h);
    return h;
  };
}
