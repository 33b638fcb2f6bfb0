import type { FieldCipher } from '../../core/crypto/index.js';
import { toLocalAgentError, type LocalAgentError } from '../../core/errors/index.js';
import { createRetryBackoff, shouldRetry, type Clock, type LoggerLike, type RetryBackoffContext } from '../../core/resilience/index.js';
import { checkBuiltLast, type AltPlan, type AltTask, type LastResult, type LastRunStatus } from '../../formats/index.js';
import type { Span, Tracer } from '../../core/telemetry/index.js';
import type { Lease, RunStore, StoredRunEvent } from '../../store/index.js';
import { approvalDenied, errorRecord, isApprovalRequired, outputNotJson, stopError, taskNotWaiting, taskTimeout } from '../errors.js';
import type { JournalEvent } from '../journal/events.js';
import { isTerminal, type RunState, type TaskState } from '../journal/RunState.js';
import { buildLast, finalStatusOf } from '../last/buildLast.js';
import { writeLast } from '../last/writeLast.js';
import type { Policy, Tool, ToolContext, ToolLimits } from '../types/index.js';
import { Attempt, type RunFacts } from './Attempt.js';
import { expiryEvent, isApprovalOverdue } from './approvalExpiry.js';
import { Conditions } from './conditions.js';
import { durationMs } from './durations.js';
import { ReadyQueue } from './ReadyQueue.js';
import { endTaskSpan, inTaskSpan, startTaskSpan } from './runSpans.js';
import type { TaskTemplates, TemplateValues } from './templates.js';

/** Backoff between retries of a task; the task's `retry.backoff` replaces `base_delay_ms`. */
export interface RetryDefaults {
  base_delay_ms: number;
  max_delay_ms: number;
  max_retry_after_ms: number;
  jitter: boolean;
}

export interface ExecutionOptions {
  runId: string;
  planId: string;
  planHash: string;
  plan: AltPlan;
  seed: number;
  workspace: string;
  inputs: Record<string, unknown>;
  concurrency: number;
  state: RunState;
  templates: TaskTemplates;
  store: RunStore;
  lease: Lease;
  toolFor: (kind: AltTask['kind']) => Tool | undefined;
  policy: Policy;
  limits: ToolLimits;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  retry: RetryDefaults;
  runsDir: string;
  heartbeatMs: number;
  /** How often to look in the journal for a cancel another process asked for; 0 turns it off. */
  cancelCheckMs: number;
  /** The last journal seq the state was replayed from (0 for a new run): the cancel check reads only what follows. */
  seenSeq?: number | undefined;
  logger?: LoggerLike | undefined;
  onEvent?: ((event: StoredRunEvent) => void) | undefined;
  /** Told of each `.last` once stored (see `RunnerOptions.onResult`). */
  onResult?: ((last: LastResult) => void) | undefined;
  /** Hides secrets in outputs and error messages before they reach the journal, the `.last` and later tasks. */
  redact?: ((value: unknown) => unknown) | undefined;
  /** Seals the `.last` file at rest (`security.encrypt_results`); the store seals its own copy. */
  resultCipher?: FieldCipher | undefined;
  /** How long an approval request stays open (see `RunnerOptions.approvalTimeoutMs`). */
  approvalTimeoutMs?: number | undefined;
  /** Traces each try of a task as a child of `runSpan`. */
  tracer?: Tracer | undefined;
  runSpan?: Span | undefined;
}

type Backoff = ReturnType<ReturnType<typeof createRetryBackoff>['next']>;

type AttemptOutcome = { ok: true; json: string; output: unknown } | { ok: false; error: LocalAgentError; stopped: boolean };

/**
 * One run being executed: the scheduler. Every state change is recorded (applied to `RunState`
 * and appended to the journal) before its effect: a tool only starts once its `task_started`
 * has committed, and because batches commit in order, that commit also covers every earlier
 * event (e.g. the `task_succeeded` of the task it needs, whose output its templates read).
 */
export class Execution {
  readonly done: Promise<LastResult>;
  private resolveDone!: (last: LastResult) => void;
  private rejectDone!: (error: unknown) => void;
  private readonly n: number;
  private readonly needs: number[][];
  private readonly dependents: number[][];
  private readonly remaining: Int32Array;
  private readonly queue: ReadyQueue;
  private readonly conditions = new Conditions();
  private readonly backoffs = new Map<number, Backoff>();
  /** The running attempt of each task (by index), to abort it. */
  private readonly aborts = new Map<number, Attempt>();
  private readonly facts: RunFacts;
  /** Aborts retry waits when the run stops. */
  private readonly stopController = new AbortController();
  private active = 0;
  private stopped = false;
  /** The reason running attempts were aborted with when the run stopped. */
  private stopReason: LocalAgentError | undefined;
  /** Past the point where decisions can be taken in (finishing, paused, or broken). */
  private closing = false;
  private settled = false;
  private lastCommit: Promise<void> = Promise.resolve();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private heartbeatBusy = false;
  private cancelCheck: ReturnType<typeof setInterval> | undefined;
  private cancelCheckBusy = false;
  /** The journal has been looked through up to this seq for cancel requests from other processes. */
  private seenSeq: number;

  constructor(private readonly o: ExecutionOptions) {
    this.done = new Promise<LastResult>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // A caller that only awaits some other promise must not see an unhandled rejection from this one.
    this.done.catch(() => undefined);
    const { plan } = o;
    this.n = plan.tasks.length;
    this.needs = plan.tasks.map((task) => [...new Set(task.needs ?? [])].map((id) => o.state.indexById.get(id) as number));
    this.dependents = Array.from({ length: this.n }, () => []);
    this.needs.forEach((needs, i) => needs.forEach((u) => this.dependents[u]?.push(i)));
    this.seenSeq = o.seenSeq ?? 0;
    this.remaining = new Int32Array(this.n);
    this.queue = new ReadyQueue(plan.tasks.map((task) => task.priority ?? 0));
    this.facts = {
      workspace: o.workspace,
      runId: o.runId,
      policy: o.policy,
      limits: o.limits,
      env: o.env,
      run: { planId: o.planId, planHash: o.planHash, mode: plan.mode, seed: o.seed, persona: plan.persona, chaosLevel: plan.chaos_level, language: plan.language },
    };
  }

  get runId(): string {
    return this.o.runId;
  }

  /** Whether `approve`, `deny` and `cancel` can still be applied to this execution. */
  get accepting(): boolean {
    return !this.closing;
  }

  /** Records the opening events, rebuilds the ready queue from the state and starts scheduling. */
  begin(opening: readonly JournalEvent[]): void {
    for (const event of opening) void this.record(event);
    const { state } = this.o;
    state.tasks.forEach((t, i) => {
      // Started but never finished (the process died, or stopped, mid-attempt): it runs again.
      if (t.status === 'running' || t.status === 'retry_wait') state.setStatus(t, 'pending');
      this.remaining[i] = (this.needs[i] as number[]).filter((u) => !isTerminal((state.tasks[u] as TaskState).status)).length;
    });
    state.tasks.forEach((t, i) => {
      if (t.status === 'pending' && this.remaining[i] === 0) this.queue.push(i);
    });
    if (this.o.heartbeatMs > 0) {
      this.heartbeat = setInterval(() => this.beat(), this.o.heartbeatMs);
      this.heartbeat.unref();
    }
    if (this.o.cancelCheckMs > 0) {
      this.cancelCheck = setInterval(() => this.checkCancel(), this.o.cancelCheckMs);
      this.cancelCheck.unref();
    }
    if (state.stopping) this.stop();
    this.pump();
  }

  private beat(): void {
    if (this.heartbeatBusy || this.settled) return;
    this.heartbeatBusy = true;
    this.o.store
      .heartbeat(this.o.lease)
      .catch((error: unknown) => this.fatal(error))
      .finally(() => (this.heartbeatBusy = false));
  }

  /**
   * Looks for a `run_cancel_requested` that another process appended to the journal (it cannot
   * reach this one otherwise); off the hot path: one read of the events since the last look.
   */
  private checkCancel(): void {
    if (this.cancelCheckBusy || this.closing) return;
    this.cancelCheckBusy = true;
    this.o.store
      .nextEventOfType(this.o.runId, 'run_cancel_requested', this.seenSeq)
      .then(({ lastSeq, event }) => {
        this.seenSeq = lastSeq;
        if (event) this.cancelledElsewhere(event);
      })
      .catch((error: unknown) => {
        // Not fatal by itself: if the database is what failed, the next journal write says so.
        this.o.logger?.warn({ err: errorRecord(error), run_id: this.o.runId }, 'could not look for a cancel request');
      })
      .finally(() => (this.cancelCheckBusy = false));
  }

  /** Another process asked to cancel: the same as `cancel`, except that the event is in the journal already. */
  private cancelledElsewhere(stored: StoredRunEvent): void {
    // Closing: too late to change anything. Stopping: stopped already (by a failure, or a cancel).
    if (this.closing || this.o.state.stopping) return;
    const data = stored.data as { reason?: unknown; pid?: unknown; host?: unknown } | undefined;
    const reason = typeof data?.reason === 'string' ? data.reason : 'cancelled on request';
    this.o.logger?.info({ run_id: this.o.runId, by_pid: data?.pid, by_host: data?.host, reason }, 'another process cancelled the run');
    this.o.state.apply({ type: 'run_cancel_requested', data: { reason } }, stored.at);
    if (this.o.onEvent) this.notify(this.o.onEvent, stored);
    this.stop();
    this.pump();
  }

  /**
   * Applies the event to the state now and queues it for the journal; resolves once committed.
   * Events recorded in the same tick share one commit (and one promise). A failed commit is fatal:
   * the run stops, and can be resumed from what was committed.
   */
  private record(recorded: JournalEvent, dataJson?: string): Promise<void> {
    const { store, state, onEvent, redact } = this.o;
    // Outputs are redacted where they are made (invoke); everything else (error messages, approval
    // texts) here, before the state, the journal or any listener sees it.
    const event =
      redact && dataJson === undefined && (recorded as { data?: unknown }).data !== undefined
        ? ({ ...recorded, data: redact((recorded as { data?: unknown }).data) } as JournalEvent)
        : recorded;
    const at = store.eventTime();
    state.apply(event, at);
    const fields = event as { taskId?: string; attempt?: number; data?: unknown };
    const row = { runId: this.o.runId, type: event.type, at, taskId: fields.taskId, attempt: fields.attempt, data: fields.data, dataJson };
    const committed = onEvent ? store.append(row).then((stored) => this.notify(onEvent, stored)) : store.enqueue(row);
    if (committed !== this.lastCommit) {
      this.lastCommit = committed;
      // One handler per batch: callers may drop the promise without an unhandled rejection.
      committed.catch((error: unknown) => this.fatal(error));
    }
    return committed;
  }

  private notify(onEvent: (event: StoredRunEvent) => void, stored: StoredRunEvent): void {
    try {
      onEvent(stored);
    } catch (error) {
      this.o.logger?.warn({ err: errorRecord(error), run_id: this.o.runId }, 'a run event listener threw');
    }
  }

  /** Starts what can start, up to the concurrency; settles the run when nothing runs and nothing can. */
  private pump(): void {
    if (this.closing) return;
    if (!this.stopped) {
      while (this.active < this.o.concurrency) {
        const i = this.queue.pop();
        if (i === undefined) break;
        this.launch(i);
      }
    }
    if (this.active === 0 && (this.stopped || this.queue.size === 0)) void this.idle();
  }

  /** The first need that did not succeed and is not ignored, if any: the task cannot run. */
  private blockingNeed(i: number): number | undefined {
    const { state, plan } = this.o;
    for (const u of this.needs[i] as number[]) {
      const status = (state.tasks[u] as TaskState).status;
      if (status === 'skipped' || status === 'cancelled') return u;
      if (status === 'failed' && plan.tasks[u]?.on_failure !== 'ignore') return u;
    }
    return undefined;
  }

  private launch(i: number): void {
    const task = this.o.plan.tasks[i] as AltTask;
    const blocker = this.blockingNeed(i);
    if (blocker !== undefined) {
      void this.record({ type: 'task_skipped', taskId: task.id, data: { reason: 'dependency', because: this.o.plan.tasks[blocker]?.id as string } });
      this.finished(i);
      return;
    }
    this.active += 1;
    void this.runTask(i, task).then(
      () => {
        this.active -= 1;
        this.pump();
      },
      (error: unknown) => this.fatal(error),
    );
  }

  /** A task reached a final state: its dependents may now be ready. */
  private finished(i: number): void {
    const { state } = this.o;
    for (const d of this.dependents[i] as number[]) {
      this.remaining[d] = (this.remaining[d] as number) - 1;
      if (this.remaining[d] === 0 && (state.tasks[d] as TaskState).status === 'pending') this.queue.push(d);
    }
  }

  private templateValues(): TemplateValues {
    const { state } = this.o;
    return {
      inputs: this.o.inputs,
      output: (taskId) => {
        const t = state.task(taskId);
        return t?.status === 'succeeded' ? { found: true, value: t.output } : { found: false };
      },
    };
  }

  /** `{ inputs, tasks }` for `when` and tools: `tasks` holds the succeeded tasks this one needs, directly or not. */
  private scope(i: number): { inputs: Record<string, unknown>; tasks: Record<string, { output: unknown }> } {
    const { state, plan } = this.o;
    const needs = this.needs;
    let tasks: Record<string, { output: unknown }> | undefined;
    return {
      inputs: this.o.inputs,
      // Built on first read: most tools never look, and a long chain would make it quadratic.
      get tasks(): Record<string, { output: unknown }> {
        if (tasks) return tasks;
        tasks = {};
        const seen = new Set<number>();
        const stack = [...(needs[i] as number[])];
        for (let u = stack.pop(); u !== undefined; u = stack.pop()) {
          if (seen.has(u)) continue;
          seen.add(u);
          const t = state.tasks[u] as TaskState;
          if (t.status === 'succeeded') tasks[(plan.tasks[u] as AltTask).id] = { output: t.output };
          stack.push(...(needs[u] as number[]));
        }
        return tasks;
      },
    };
  }

  private maxRetries(task: AltTask): number {
    const retry = task.retry;
    if (retry === undefined) return 0;
    return typeof retry === 'number' ? retry : retry.max_attempts;
  }

  private nextDelay(i: number, task: AltTask, error: LocalAgentError, attempt: number): number {
    const base = durationMs(typeof task.retry === 'object' ? task.retry.backoff : undefined) ?? this.o.retry.base_delay_ms;
    const context: RetryBackoffContext = { attempt, signal: this.stopController.signal, result: { error } };
    const previous = this.backoffs.get(i);
    const next = previous
      ? previous.next(context)
      : createRetryBackoff({
          max_attempts: this.maxRetries(task) + 1,
          base_delay_ms: base,
          max_delay_ms: Math.max(base, this.o.retry.max_delay_ms),
          max_retry_after_ms: this.o.retry.max_retry_after_ms,
          jitter: this.o.retry.jitter,
        }).next(context);
    this.backoffs.set(i, next);
    return Math.round(next.duration);
  }

  /** Runs one task to a final state (or to waiting for approval), retrying transient failures. */
  private async runTask(i: number, task: AltTask): Promise<void> {
    const { state } = this.o;
    const t = state.tasks[i] as TaskState;
    if (task.when !== undefined) {
      let holds: boolean;
      try {
        holds = await this.conditions.holds(task.id, task.when, this.scope(i));
      } catch (error) {
        return this.fail(i, task, error, t.attempts);
      }
      if (this.stopped) return this.cancelTask(task);
      if (!holds) {
        void this.record({ type: 'task_skipped', taskId: task.id, data: { reason: 'condition' } });
        this.finished(i);
        return;
      }
    }
    const tool = this.o.toolFor(task.kind);
    for (;;) {
      if (this.stopped) return this.cancelTask(task);
      let params: AltTask;
      try {
        params = this.o.templates.has(i) ? this.o.templates.expand(i, task, this.templateValues()) : task;
      } catch (error) {
        return this.fail(i, task, error, t.attempts);
      }
      const attempt = t.attempts + 1;
      await this.record({ type: 'task_started', taskId: task.id, attempt });
      if (this.stopped) return this.cancelTask(task);
      const span = startTaskSpan(this.o.tracer, this.o.runSpan, { runId: this.o.runId, planId: this.o.planId, task, attempt });
      const outcome = await inTaskSpan(this.o.tracer, span, () => this.invoke(i, task, params, tool, attempt));
      if (outcome.ok) {
        endTaskSpan(span, 'succeeded');
        void this.record({ type: 'task_succeeded', taskId: task.id, attempt, data: { output: outcome.output } }, `{"output":${outcome.json}}`);
        this.finished(i);
        return;
      }
      const { error } = outcome;
      if (outcome.stopped) {
        endTaskSpan(span, 'cancelled');
        return this.cancelTask(task);
      }
      if (isApprovalRequired(error)) {
        endTaskSpan(span, 'waiting_approval');
        // A tool may put what the person is asked in details.message, its message then saying it waits.
        const message = typeof error.details.message === 'string' ? error.details.message : error.message;
        void this.record({ type: 'task_waiting_approval', taskId: task.id, attempt, data: { message } });
        return;
      }
      if (!this.stopped && t.failures < this.maxRetries(task) && shouldRetry(error, this.o.retry)) {
        endTaskSpan(span, 'retrying', error.code);
        const delay = this.nextDelay(i, task, error, t.failures + 1);
        this.o.logger?.debug({ run_id: this.o.runId, task: task.id, attempt, delay_ms: delay, error_code: error.code }, 'retrying a task after a transient failure');
        await this.record({ type: 'task_retrying', taskId: task.id, attempt, data: { error: errorRecord(error), delay_ms: delay } });
        try {
          await this.o.clock.sleep(delay, this.stopController.signal);
        } catch {
          return this.cancelTask(task);
        }
        continue;
      }
      endTaskSpan(span, 'failed', error.code);
      return this.fail(i, task, error, attempt);
    }
  }

  private fail(i: number, task: AltTask, thrown: unknown, attempt: number): void {
    void this.record({ type: 'task_failed', taskId: task.id, attempt, data: { error: errorRecord(thrown) } });
    this.afterFailure(i);
  }

  private afterFailure(i: number): void {
    if (this.o.state.stopping) this.stop();
    else this.finished(i);
  }

  private cancelTask(task: AltTask): void {
    const error = this.o.state.stopping?.error ?? errorRecord(stopError('cancelled', 'the run was stopped'));
    void this.record({ type: 'task_cancelled', taskId: task.id, data: { error } });
  }

  /**
   * One try of the tool, under the task's timeout and the run's cancellation. Either one settles
   * the attempt at once with its reason, whether or not the tool heeds its signal (a tool that
   * ignores it keeps running, but its result is dropped).
   */
  private async invoke(i: number, task: AltTask, params: AltTask, tool: Tool | undefined, attemptNo: number): Promise<AttemptOutcome> {
    const t = this.o.state.tasks[i] as TaskState;
    const approval = t.approved && t.approval?.by !== undefined && t.approval.at !== undefined ? { by: t.approval.by, at: t.approval.at } : undefined;
    const attempt = new Attempt(this.facts, task.id, t.approved, attemptNo, approval, this.scopeGetter(i));
    this.aborts.set(i, attempt);
    const timeoutMs = durationMs(task.timeout) ?? this.o.limits.defaultTimeoutMs;
    const timer = setTimeout(Attempt.timeout, timeoutMs, attempt, () => taskTimeout(task.id, timeoutMs));
    try {
      const output = await new Promise<unknown>((resolve, reject) => {
        attempt.reject = reject;
        let running: Promise<unknown>;
        try {
          // Runner.start refused plans with a kind that has no tool, so `tool` is set here; the tool
          // map is keyed by kind, so the task handed over is always of the tool's kind.
          running = (tool as Tool).run(params as never, attempt);
        } catch (error) {
          running = Promise.reject(error as Error);
        }
        // A tool may (wrongly) return a plain value; Promise.resolve accepts both.
        Promise.resolve(running).then(resolve, reject);
      });
      if (output === undefined) return { ok: true, json: 'null', output: null };
      let json: string | undefined;
      let safe: unknown;
      try {
        safe = this.o.redact ? this.o.redact(output) : output;
        json = JSON.stringify(safe);
      } catch (error) {
        return { ok: false, error: outputNotJson(task.id, error), stopped: false };
      }
      if (json === undefined) return { ok: true, json: 'null', output: null };
      // What dependents see is what a resumed run would read back from the journal.
      return { ok: true, json, output: typeof safe === 'object' && safe !== null ? (JSON.parse(json) as unknown) : safe };
    } catch (thrown) {
      const error = toLocalAgentError(attempt.abortedWith ?? thrown);
      return { ok: false, error, stopped: attempt.abortedWith !== undefined && attempt.abortedWith === this.stopReason };
    } finally {
      clearTimeout(timer);
      this.aborts.delete(i);
    }
  }

  private scopeGetter(i: number): () => ToolContext['scope'] {
    return () => this.scope(i);
  }

  /** Stops the run: nothing new starts, running tools are aborted, retry waits end. */
  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const stopping = this.o.state.stopping;
    const reason =
      stopping?.reason === 'cancelled'
        ? stopError('cancelled', stopping.error.message)
        : stopError('failure', `Task "${stopping?.taskId ?? '?'}" failed, so the run stopped.`);
    this.stopReason = reason;
    this.stopController.abort(reason);
    for (const attempt of this.aborts.values()) attempt.abort(reason);
    this.queue.clear();
  }

  cancel(reason: string): Promise<void> {
    if (this.closing) return Promise.resolve();
    const committed = this.record({ type: 'run_cancel_requested', data: { reason } });
    this.stop();
    this.pump();
    return committed;
  }

  approve(taskId: string, by: string): Promise<void> {
    const i = this.waitingIndex(taskId);
    const t = this.o.state.tasks[i];
    const { approvalTimeoutMs } = this.o;
    if (approvalTimeoutMs !== undefined && t && isApprovalOverdue(t, this.o.clock.now(), approvalTimeoutMs)) {
      const expired = this.record(expiryEvent(taskId, t, approvalTimeoutMs));
      this.afterFailure(i);
      this.pump();
      return expired;
    }
    const committed = this.record({ type: 'task_approved', taskId, data: { by } });
    if (!this.stopped) this.queue.push(i);
    this.pump();
    return committed;
  }

  deny(taskId: string, by: string): Promise<void> {
    const i = this.waitingIndex(taskId);
    const committed = this.record({ type: 'task_denied', taskId, data: { by, error: errorRecord(approvalDenied(taskId, by)) } });
    this.afterFailure(i);
    this.pump();
    return committed;
  }

  private waitingIndex(taskId: string): number {
    const i = this.o.state.indexById.get(taskId);
    const t = i === undefined ? undefined : this.o.state.tasks[i];
    if (i === undefined || t?.status !== 'waiting_approval') throw taskNotWaiting(this.o.runId, taskId, t?.status);
    return i;
  }

  /** Nothing runs and nothing can start: finish, pause for approval, or (a bug) report the stall. */
  private async idle(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const { state } = this.o;
    try {
      if (state.stopping) {
        const error = state.stopping.error;
        state.plan.tasks.forEach((task, i) => {
          if (!isTerminal((state.tasks[i] as TaskState).status)) void this.record({ type: 'task_cancelled', taskId: task.id, data: { error } });
        });
      }
      if (state.allTerminal) {
        const status = finalStatusOf(state);
        await this.record({ type: 'run_finished', data: { status } });
        await this.conclude(status);
        return;
      }
      const waiting = state.plan.tasks.filter((_, i) => state.tasks[i]?.status === 'waiting_approval').map((task) => task.id);
      if (waiting.length === 0) {
        throw new Error(`Run ${this.o.runId} stalled: tasks are pending but none can start.`);
      }
      await this.record({ type: 'run_paused', data: { waiting } });
      await this.conclude('waiting_approval');
    } catch (error) {
      this.fatal(error);
    }
  }

  /** Writes the `.last` (file and database), sets the run's status, gives the lease up. */
  private async conclude(status: LastRunStatus): Promise<void> {
    await this.lastCommit;
    const last = checkBuiltLast(
      buildLast(this.o.state, {
        runId: this.o.runId,
        planId: this.o.planId,
        planHash: this.o.planHash,
        plan: this.o.plan,
        seed: this.o.seed,
        workspace: this.o.workspace,
        status,
        now: new Date().toISOString(),
      }),
    );
    const json = JSON.stringify(last);
    // The file write runs on libuv's threads while SQLite stores the same text here.
    await Promise.all([writeLast(this.o.runsDir, last, json, this.o.resultCipher), this.o.store.saveResult(this.o.runId, last, json)]);
    await this.o.store.setStatus(this.o.runId, status);
    try {
      this.o.onResult?.(last);
    } catch (error) {
      this.o.logger?.warn({ err: errorRecord(error), run_id: this.o.runId }, 'a run result listener threw');
    }
    this.stopTimers();
    await this.o.store.release(this.o.lease);
    this.settled = true;
    this.resolveDone(last);
  }

  private stopTimers(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.cancelCheck) clearInterval(this.cancelCheck);
    this.heartbeat = undefined;
    this.cancelCheck = undefined;
  }

  /**
   * Something the run cannot go on without failed (the journal, the lease, a bug): abort every
   * tool, give the lease up, reject `done`. What was committed stays; `resume` continues from it.
   */
  private fatal(thrown: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.closing = true;
    const error = toLocalAgentError(thrown);
    this.o.logger?.error({ run_id: this.o.runId, err: errorRecord(error) }, 'the run stopped: it cannot continue');
    this.stopped = true;
    this.stopController.abort(error);
    for (const attempt of this.aborts.values()) attempt.abort(error);
    this.queue.clear();
    this.stopTimers();
    // Best effort: when the database is what failed, the lease goes stale and is taken over later.
    if (error.code !== 'LA_RUN_LEASE_LOST') this.o.store.release(this.o.lease).catch(() => undefined);
    this.rejectDone(error);
  }
}
