import { randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FieldCipher } from '../core/crypto/index.js';
import { ConfigurationError, LocalAgentError, UserInputError } from '../core/errors/index.js';
import { SystemClock, type Clock, type LoggerLike } from '../core/resilience/index.js';
import type { Tracer } from '../core/telemetry/index.js';
import { checkBuiltLast, parseLast, validatePlan, type AltPlan, type LastResult, type ParsedPlan, type TaskKind } from '../formats/index.js';
import { currentOwner, runNotFound, type Lease, type LeaseOwner, type RunRecord, type RunStore, type StoredRunEvent } from '../store/index.js';
// The built-in approval tool is the default: a plan's approval tasks work whatever tools are passed.
import { ApprovalTool } from './tools/index.js';
import { approvalDenied, cancelPending, errorRecord, taskNotWaiting } from './errors.js';
import { fromStored, type JournalEvent, type TimedEvent } from './journal/events.js';
import { RunState } from './journal/RunState.js';
import { buildLast } from './last/buildLast.js';
import { lastFilePath, writeLast } from './last/writeLast.js';
import { Execution, type RetryDefaults } from './scheduler/Execution.js';
import { expiryEvents } from './scheduler/approvalExpiry.js';
import { endRunSpan, startRunSpan } from './scheduler/runSpans.js';
import { TaskTemplates } from './scheduler/templates.js';
import type { Policy, Tool, ToolLimits } from './types/index.js';

/** One tool per task kind. `approval` has a built-in default; any `Tool<'ai'>` (the orchestrator's adapter) serves `ai`. */
export type RunnerTools = { [K in TaskKind]?: Tool<K> };

export interface RunnerOptions {
  store: RunStore;
  /** Where `.last` files go: `HomePaths.runs`. */
  runsDir: string;
  tools: RunnerTools;
  policy: Policy;
  limits: ToolLimits;
  /** The environment tools see (the shell tool filters it). Default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Waits between retries; tests pass a fake one. */
  clock?: Clock | undefined;
  /** Retry backoff defaults (a task's `retry.backoff` replaces `base_delay_ms`). */
  retry?: Partial<RetryDefaults> | undefined;
  /** How often a running run renews its lease; 0 turns heartbeats off (tests). Default 5 s. */
  heartbeatMs?: number | undefined;
  /**
   * How often a running run looks in its journal for a cancel another process asked for (`runs
   * cancel` from another terminal); 0 turns it off. Default 250 ms.
   */
  cancelCheckMs?: number | undefined;
  /** How long `cancel` waits for a run that another process runs to stop. Default 10 s. */
  cancelWaitMs?: number | undefined;
  /** Concurrency when `start` is given none. Default 4. */
  defaultConcurrency?: number | undefined;
  /** Who holds leases; default this process on this host. */
  owner?: LeaseOwner | undefined;
  logger?: LoggerLike | undefined;
  /**
   * Hides secrets in task outputs and error messages before they are journaled, written to the
   * `.last`, or filled into later tasks (the app passes `Redactor.strings`). Default: none.
   */
  redact?: ((value: unknown) => unknown) | undefined;
  /** Called with every journal event once it is committed (progress output, SSE). Must not throw. */
  onEvent?: ((event: StoredRunEvent) => void) | undefined;
  /**
   * Called with each `.last` once it is stored (file and database): a finished run's result, or a
   * paused run's snapshot. The archive uses it; it must not throw, and is not awaited.
   */
  onResult?: ((last: LastResult) => void) | undefined;
  /**
   * Seals `.last` files at rest (`security.encrypt_results`; the app passes the same cipher to the
   * store). Default: none, files are plain JSON.
   */
  resultCipher?: FieldCipher | undefined;
  /**
   * How long an approval request stays open. A task still waiting after that fails with
   * `LA_APPROVAL_EXPIRED` when the run is next approved, denied or resumed. Default: never.
   */
  approvalTimeoutMs?: number | undefined;
  /** Traces every run it executes (a `run` span) and every try of a task (`task <kind>`); default none. */
  tracer?: Tracer | undefined;
}

export interface StartOptions {
  /** The workspace root; must exist. Every path a task names stays inside it. */
  workspace: string;
  /** Most tasks running at once. */
  concurrency?: number | undefined;
  /** Values for `inputs.<name>`, over the plan's own `inputs`. */
  inputs?: Record<string, unknown> | undefined;
  /** Aborting it cancels the run. */
  signal?: AbortSignal | undefined;
  /** The run's id; default a new one. */
  runId?: string | undefined;
}

export interface ResumeOptions {
  /** Default: the concurrency the run started with. */
  concurrency?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface RunHandle {
  runId: string;
  /**
   * Resolves with the `.last` when the run ends (success, partial, failure, cancelled) or pauses
   * for approval (`waiting_approval`), once the file is written and the lease is released. Rejects
   * only when the run cannot go on (the database failed, the lease was lost); it can then be resumed.
   */
  done: Promise<LastResult>;
}

const DEFAULT_RETRY: RetryDefaults = { base_delay_ms: 1000, max_delay_ms: 30_000, max_retry_after_ms: 60_000, jitter: true };
const MAX_CONCURRENCY = 10_000;
/** How often `cancel` looks whether a run another process runs has stopped. */
const CANCEL_POLL_MS = 100;

function isParsedPlan(plan: AltPlan | ParsedPlan): plan is ParsedPlan {
  return typeof (plan as ParsedPlan).hash === 'string' && typeof (plan as ParsedPlan).plan === 'object';
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `run-20250101-120000-a1b2c3`: sortable by time, readable, and safe as a file name. */
export function newRunId(now = new Date()): string {
  const date = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const time = `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return `run-${date}-${time}-${randomBytes(3).toString('hex')}`;
}

function badInput(message: string, suggestion: string, details: Record<string, unknown> = {}): UserInputError {
  return new UserInputError({ message, suggestion, details });
}

/**
 * Runs plans: `start` a plan, `resume` one after a crash or pause, `cancel`, and `approve` or
 * `deny` a task that waits for a person. Every state change goes to the run journal before it
 * takes effect, so a run killed at any moment resumes without re-running (or paying again for) any
 * task that finished; a task that had started but not finished runs again (at least once).
 */
export class Runner {
  private readonly executions = new Map<string, Execution>();
  private readonly tools: RunnerTools;
  private readonly clock: Clock;
  private readonly retry: RetryDefaults;
  private readonly owner: LeaseOwner;

  constructor(private readonly options: RunnerOptions) {
    this.tools = { approval: new ApprovalTool(), ...options.tools };
    this.clock = options.clock ?? new SystemClock();
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.owner = options.owner ?? currentOwner();
  }

  private get store(): RunStore {
    return this.options.store;
  }

  /** Ids of the runs executing in this runner now. */
  activeRuns(): string[] {
    return [...this.executions.keys()];
  }

  /** The stored `.last` of a run (the final one, or the snapshot of a paused run), if any. */
  async result(runId: string): Promise<LastResult | undefined> {
    const stored = await this.store.getResult(runId);
    return stored === undefined ? undefined : parseLast(stored, `the stored result of ${runId}`);
  }

  /** Validates what it is given, records the run, takes its lease and starts it. */
  async start(plan: AltPlan | ParsedPlan, options: StartOptions): Promise<RunHandle> {
    const parsed = isParsedPlan(plan) ? plan : validatePlan(plan);
    this.checkTools(parsed.plan);
    const workspace = await this.workspaceOf(options.workspace);
    const concurrency = this.concurrencyOf(options.concurrency ?? this.options.defaultConcurrency ?? 4);
    const templates = new TaskTemplates(parsed.plan.tasks);
    const inputs = this.inputsOf(parsed.plan, options.inputs, templates);
    const seed = parsed.plan.seed ?? randomInt(0, 2 ** 31);
    const runId = options.runId ?? newRunId();
    if (options.runId !== undefined && (await this.store.getRun(runId))) {
      throw badInput(`There is already a run "${runId}".`, 'Give the new run another id, or leave the id out to get a new one.', { run_id: runId });
    }
    await this.store.createRun({
      id: runId,
      planId: parsed.id,
      planHash: parsed.hash,
      plan: parsed.plan,
      title: parsed.plan.title,
      workspace,
      seed,
      inputs,
      concurrency,
      status: 'running',
    });
    const lease = await this.store.acquire(runId, this.owner);
    const state = new RunState(parsed.plan);
    return this.execute(
      { runId, planId: parsed.id, planHash: parsed.hash, plan: parsed.plan, seed, workspace, inputs, concurrency, state, templates, lease },
      [{ type: 'run_started', data: { ...this.owner, concurrency } }],
      options.signal,
    );
  }

  /**
   * Continues a run from its journal: after a crash (tasks that finished keep their outputs and do
   * not run again; tasks that had started run again), or a pause. A finished run's `done` is its
   * stored result. Throws `LA_RUN_BUSY` when another live process runs it.
   */
  async resume(runId: string, options: ResumeOptions = {}): Promise<RunHandle> {
    const running = this.executions.get(runId);
    if (running?.accepting) return { runId, done: running.done };
    if (running) await running.done.catch(() => undefined);
    return this.resumeWith(runId, options, (state) => expiryEvents(state, this.clock.now(), this.options.approvalTimeoutMs));
  }

  /**
   * Cancels a run and resolves with its `.last`: a run running here, paused, left behind by a
   * crash, or being run by another live process. That process holds the lease, so the request is
   * appended to the run's journal without it; the process notices within `cancelCheckMs` and
   * stops the run as a cancel of its own would. This waits up to `cancelWaitMs` for the run to
   * end, then throws `LA_RUN_CANCEL_PENDING` (the request stays in the journal: the run stops at
   * its owner's next check, or when it is next resumed).
   */
  async cancel(runId: string, reason = 'cancelled on request'): Promise<LastResult> {
    const running = this.executions.get(runId);
    if (running?.accepting) {
      await running.cancel(reason);
      return running.done;
    }
    if (running) await running.done.catch(() => undefined);
    const waitMs = this.options.cancelWaitMs ?? 10_000;
    const deadline = Date.now() + waitMs;
    let requested = false;
    for (;;) {
      let handle: RunHandle;
      try {
        // Free (paused, crashed, or finished since the last look): cancel it here, or return its result.
        handle = await this.resumeWith(runId, {}, (state) =>
          state.finalStatus || state.stopping?.reason === 'cancelled' ? [] : [{ type: 'run_cancel_requested', data: { reason } }],
        );
      } catch (error) {
        if (!(error instanceof LocalAgentError && error.code === 'LA_RUN_BUSY')) throw error;
        if (!requested) {
          await this.store.append({ runId, type: 'run_cancel_requested', data: { reason, ...this.owner } });
          requested = true;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw cancelPending(runId, waitMs, { pid: error.details.owner_pid, host: error.details.owner_host });
        // The owner releases the lease once the run has ended; the next look then returns its result.
        await sleep(Math.min(CANCEL_POLL_MS, left));
        continue;
      }
      return handle.done;
    }
  }

  /** A person approves a task waiting for approval: it runs again with `approved: true`. */
  approve(runId: string, taskId: string, by: string, options: ResumeOptions = {}): Promise<RunHandle> {
    return this.decide(runId, taskId, by, 'approve', options);
  }

  /** A person denies a task waiting for approval: it fails with `LA_APPROVAL_DENIED` and its on_failure applies. */
  deny(runId: string, taskId: string, by: string, options: ResumeOptions = {}): Promise<RunHandle> {
    return this.decide(runId, taskId, by, 'deny', options);
  }

  private async decide(runId: string, taskId: string, by: string, decision: 'approve' | 'deny', options: ResumeOptions): Promise<RunHandle> {
    if (typeof by !== 'string' || by.trim() === '' || by.length > 200) {
      throw badInput('Say who decides: a non-empty name of at most 200 characters.', 'Pass the person\'s name or user id.');
    }
    const running = this.executions.get(runId);
    if (running?.accepting) {
      await (decision === 'approve' ? running.approve(taskId, by) : running.deny(taskId, by));
      return { runId, done: running.done };
    }
    if (running) await running.done.catch(() => undefined);
    return this.resumeWith(runId, options, (state) => {
      const t = state.task(taskId);
      if (t?.status !== 'waiting_approval') throw taskNotWaiting(runId, taskId, t?.status);
      // Overdue requests fail first, this one included: the run then goes on as after a denial.
      const expired = expiryEvents(state, this.clock.now(), this.options.approvalTimeoutMs);
      if (expired.some((event) => event.type === 'task_denied' && event.taskId === taskId)) return expired;
      return [...expired, decision === 'approve' ? { type: 'task_approved', taskId, data: { by } } : { type: 'task_denied', taskId, data: { by, error: errorRecord(approvalDenied(taskId, by)) } }];
    });
  }

  private async resumeWith(runId: string, options: ResumeOptions, opening: (state: RunState) => JournalEvent[]): Promise<RunHandle> {
    const run = await this.store.getRun(runId);
    if (!run) throw runNotFound(runId);
    const lease = await this.store.acquire(runId, this.owner);
    try {
      const plan = run.plan as AltPlan;
      const stored = await this.store.events(runId);
      const events = stored.map(fromStored).filter((e): e is TimedEvent => e !== undefined);
      const state = RunState.replay(plan, events);
      const extra = opening(state);
      if (state.finalStatus) {
        const last = await this.finishedResult(run, state);
        await this.store.release(lease);
        return { runId, done: Promise.resolve(last) };
      }
      this.checkTools(plan);
      const concurrency = this.concurrencyOf(options.concurrency ?? run.concurrency);
      await this.store.setStatus(runId, 'running');
      return this.execute(
        {
          runId,
          planId: run.planId,
          planHash: run.planHash,
          plan,
          seed: run.seed,
          workspace: run.workspace,
          inputs: run.inputs,
          concurrency,
          state,
          templates: new TaskTemplates(plan.tasks),
          lease,
          seenSeq: stored.at(-1)?.seq ?? 0,
        },
        [{ type: 'run_resumed', data: { ...this.owner, concurrency } }, ...extra],
        options.signal,
      );
    } catch (error) {
      await this.store.release(lease).catch(() => undefined);
      throw error;
    }
  }

  /** The result of a run whose journal says it finished: the stored one, or rebuilt (a crash came between). */
  private async finishedResult(run: RunRecord, state: RunState): Promise<LastResult> {
    const stored = await this.store.getResult(run.id);
    if (stored !== undefined && (stored as { status?: unknown }).status === state.finalStatus) {
      const last = parseLast(stored, `the stored result of ${run.id}`);
      // The database has it; the file may not (the process died between the two, or it was deleted).
      if (!existsSync(lastFilePath(this.options.runsDir, run.id))) await writeLast(this.options.runsDir, last, undefined, this.options.resultCipher);
      return last;
    }
    const last = checkBuiltLast(
      buildLast(state, {
        runId: run.id,
        planId: run.planId,
        planHash: run.planHash,
        plan: run.plan as AltPlan,
        seed: run.seed,
        workspace: run.workspace,
        status: state.finalStatus ?? 'failure',
        now: state.finishedAt ?? new Date().toISOString(),
      }),
    );
    const json = JSON.stringify(last);
    await writeLast(this.options.runsDir, last, json, this.options.resultCipher);
    await this.store.saveResult(run.id, last, json);
    await this.store.setStatus(run.id, last.status === 'waiting_approval' ? 'waiting_approval' : last.status);
    return last;
  }

  private execute(
    run: Pick<
      ConstructorParameters<typeof Execution>[0],
      'runId' | 'planId' | 'planHash' | 'plan' | 'seed' | 'workspace' | 'inputs' | 'concurrency' | 'state' | 'templates' | 'seenSeq'
    > & { lease: Lease },
    opening: JournalEvent[],
    signal: AbortSignal | undefined,
  ): RunHandle {
    const runSpan = startRunSpan(this.options.tracer, { runId: run.runId, planId: run.planId, plan: run.plan, resumed: opening[0]?.type === 'run_resumed' });
    const execution = new Execution({
      ...run,
      store: this.store,
      toolFor: (kind) => this.tools[kind] as Tool | undefined,
      policy: this.options.policy,
      limits: this.options.limits,
      env: this.options.env ?? process.env,
      clock: this.clock,
      retry: this.retry,
      runsDir: this.options.runsDir,
      heartbeatMs: this.options.heartbeatMs ?? 5000,
      cancelCheckMs: this.options.cancelCheckMs ?? 250,
      logger: this.options.logger,
      onEvent: this.options.onEvent,
      onResult: this.options.onResult,
      redact: this.options.redact,
      resultCipher: this.options.resultCipher,
      approvalTimeoutMs: this.options.approvalTimeoutMs,
      tracer: this.options.tracer,
      runSpan,
    });
    endRunSpan(runSpan, execution.done);
    const { runId } = run;
    this.executions.set(runId, execution);
    const onAbort = (): void => {
      this.cancel(runId, 'the caller aborted the run').catch(() => undefined);
    };
    const forget = (): void => {
      signal?.removeEventListener('abort', onAbort);
      if (this.executions.get(runId) === execution) this.executions.delete(runId);
    };
    execution.done.then(forget, forget);
    // Aborted before it began: cancelled from the first event, so no task starts.
    const cancelled: JournalEvent[] = signal?.aborted ? [{ type: 'run_cancel_requested', data: { reason: 'the caller aborted the run' } }] : [];
    execution.begin([...opening, ...cancelled]);
    signal?.addEventListener('abort', onAbort, { once: true });
    return { runId, done: execution.done };
  }

  private checkTools(plan: AltPlan): void {
    const missing = new Map<string, string>();
    for (const task of plan.tasks) if (!this.tools[task.kind] && !missing.has(task.kind)) missing.set(task.kind, task.id);
    if (missing.size === 0) return;
    const list = [...missing].map(([kind, task]) => `${kind} (task "${task}")`).join(', ');
    throw new ConfigurationError({
      code: 'LA_TOOL_MISSING',
      message: `This LocalAgent has no tool for task kind ${list}, so the plan cannot run.`,
      suggestion: 'Remove those tasks from the plan, or run it where the tool is available (see `localagent config doctor`).',
      details: { kinds: [...missing.keys()] },
    });
  }

  private async workspaceOf(workspace: string): Promise<string> {
    try {
      const real = await realpath(workspace);
      if ((await stat(real)).isDirectory()) return real;
    } catch {
      // Reported below, the same way as a file.
    }
    throw badInput(`The workspace ${workspace} is not a folder that exists.`, 'Create the folder, or pass the right one with --workspace.', { workspace });
  }

  private concurrencyOf(value: number): number {
    if (Number.isInteger(value) && value >= 1 && value <= MAX_CONCURRENCY) return value;
    throw badInput(`Concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, not ${String(value)}.`, 'Pass a smaller --concurrency.', { concurrency: value });
  }

  private inputsOf(plan: AltPlan, given: Record<string, unknown> | undefined, templates: TaskTemplates): Record<string, unknown> {
    const declared = plan.inputs;
    if (declared && given) {
      const unknown = Object.keys(given).filter((name) => !Object.hasOwn(declared, name));
      if (unknown.length > 0) {
        throw badInput(
          `The plan declares no input ${unknown.map((n) => `"${n}"`).join(', ')}; it takes ${Object.keys(declared).map((n) => `"${n}"`).join(', ') || 'none'}.`,
          'Check the input names against the plan\'s `inputs`.',
          { unknown },
        );
      }
    }
    const inputs = { ...declared, ...given };
    const missing = [...templates.inputNames].filter((name) => !Object.hasOwn(inputs, name));
    if (missing.length > 0) {
      throw badInput(
        `The plan reads input ${missing.map((n) => `"${n}"`).join(', ')}, which ${missing.length === 1 ? 'was' : 'were'} not given.`,
        'Supply every input the plan reads when starting the run (`--input name=value`).',
        { missing },
      );
    }
    try {
      return JSON.parse(JSON.stringify(inputs)) as Record<string, unknown>;
    } catch (error) {
      throw badInput(`The inputs cannot be stored as JSON: ${(error as Error).message}.`, 'Pass text, numbers, booleans, lists and mappings only.');
    }
  }
}
