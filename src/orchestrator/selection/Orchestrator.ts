import type { OrchestratorConfig } from '../../core/config/index.js';
import { InternalError, UserInputError, toLocalAgentError, type LocalAgentError } from '../../core/errors/index.js';
import { cancellationError, type LoggerLike } from '../../core/resilience/index.js';
import { didYouMean } from '../../core/text/index.js';
import type { CallRequest, CallResult, ModelCaller, ModelSpec, ModelStats } from '../types/index.js';
import { AbortGroup, isCancellation, lostRaceReason, throwIfAborted } from './abort.js';
import { capabilityNeed, filterCapable, preferCapable, type CapabilityNeed } from './capabilities.js';
import { createStrategies } from './createStrategies.js';
import { defaultShouldFailOver } from './defaultShouldFailOver.js';
import { allModelsFailedError, noCapableModelError, unknownModelError, type ModelFailure } from './errors.js';
import { JUDGE_TASK_KIND, judgeRequest, parseJudgeReply } from './judge.js';
import type { ModelCatalog } from './ModelCatalog.js';
import type {
  EnsembleMember,
  EnsembleOptions,
  EnsembleResult,
  JudgeReport,
  MergeMode,
  OrchestratedRequest,
  OrchestratedResult,
  OrchestratedStreamEvent,
  RaceMember,
  RaceResult,
  Selection,
  TriedModel,
} from './results.js';
import { isStrategyName, STRATEGY_NAMES, type SelectionStrategy, type StrategyName } from './SelectionStrategy.js';
import { majorityVote } from './vote.js';

/** The task kind of requests that name none (as `CallObservation.taskKind` documents). */
export const DEFAULT_TASK_KIND = 'ai';

const MERGE_MODES: readonly MergeMode[] = ['vote', 'judge', 'all'];

export interface OrchestratorOptions {
  /** Calls one model (retries, breaker, timeouts and budget live there). */
  caller: ModelCaller;
  /** The configured models. */
  catalog: ModelCatalog;
  /** Statistics the strategies read and, unless `recordStats` is false, this class records into. */
  stats: ModelStats;
  /** The `orchestrator` config section (parsed, so defaults are applied). */
  config: Pick<OrchestratorConfig, 'default_model' | 'default_strategy' | 'auto_weights'>;
  /**
   * Whether a failure moves on to the next candidate. Pass the calling layer's `shouldFailOver`;
   * defaults to `defaultShouldFailOver`, which follows the same rules.
   */
  shouldFailOver?: (error: unknown) => boolean;
  /**
   * Record an observation for every call that ends (not for aborted ones). Turn off when the caller
   * records them itself, so nothing is counted twice. Default true.
   */
  recordStats?: boolean;
  /** Milliseconds on a monotonic clock, for the latencies reported; default `performance.now()`. */
  now?: () => number;
  /** Calls before `fastest` trusts a model's latency; default 3. */
  minSamples?: number;
  /** Seed of the `learn` strategy's draws, so its choices can be reproduced; default: random. */
  seed?: number;
  /** Where fail-overs and judge fallbacks are logged (info); a pino logger fits. */
  logger?: LoggerLike;
}

type Outcome = { ok: true; result: CallResult; latencyMs: number } | { ok: false; error: LocalAgentError; raw: unknown; latencyMs: number };

interface Plan {
  strategy: StrategyName;
  order: ModelSpec[];
  skipped: string[];
  taskKind: string;
  /** The request without the selection fields, as the caller gets it. */
  call: CallRequest;
}

/**
 * The face of model selection: picks the model(s) for a request by strategy, fails over along the
 * strategy's order, runs races and ensembles, and keeps statistics up to date. See
 * docs/model-selection.md for every rule.
 */
export class Orchestrator {
  private readonly caller: ModelCaller;
  private readonly catalog: ModelCatalog;
  private readonly stats: ModelStats;
  private readonly config: OrchestratorOptions['config'];
  private readonly shouldFailOver: (error: unknown) => boolean;
  private readonly recordStats: boolean;
  private readonly now: () => number;
  private readonly logger: LoggerLike | undefined;
  private readonly strategies: Readonly<Record<StrategyName, SelectionStrategy>>;

  constructor(options: OrchestratorOptions) {
    this.caller = options.caller;
    this.catalog = options.catalog;
    this.stats = options.stats;
    this.config = options.config;
    this.shouldFailOver = options.shouldFailOver ?? defaultShouldFailOver;
    this.recordStats = options.recordStats ?? true;
    this.now = options.now ?? (() => performance.now());
    this.logger = options.logger;
    this.strategies = createStrategies({
      autoWeights: options.config.auto_weights,
      ...(options.minSamples !== undefined ? { minSamples: options.minSamples } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
  }

  /** Which models a request would try, in order, without calling any. */
  select(request: OrchestratedRequest): Selection {
    const plan = this.plan(request);
    return { strategy: plan.strategy, order: plan.order.map((s) => s.id), skipped: plan.skipped, taskKind: plan.taskKind };
  }

  /**
   * The answer from the first candidate that gives one. A failure moves on to the next candidate
   * only when `shouldFailOver` allows it and the caller has not aborted; otherwise it is thrown as
   * it is. When every candidate failed: the error itself for a single candidate, else
   * LA_ALL_MODELS_FAILED listing each model's code.
   */
  async generate(request: OrchestratedRequest): Promise<OrchestratedResult> {
    const plan = this.plan(request);
    const tried: TriedModel[] = [];
    const failures: ModelFailure[] = [];
    for (const spec of plan.order) {
      throwIfAborted(plan.call.signal);
      const outcome = await this.attempt(spec, plan.taskKind, () => this.caller.generate(spec.id, plan.call, { strategy: plan.strategy, attempt: tried.length + 1 }), plan.call.signal);
      if (outcome.ok) {
        tried.push({ model: spec.id, ok: true, latencyMs: outcome.latencyMs });
        return { result: outcome.result, strategy: plan.strategy, tried, skipped: plan.skipped };
      }
      tried.push({ model: spec.id, ok: false, errorCode: outcome.error.code, latencyMs: outcome.latencyMs });
      this.failOverOrThrow(spec.id, outcome, plan.call.signal);
      failures.push({ model: spec.id, error: outcome.error });
    }
    throw this.allFailed(failures);
  }

  /**
   * Like `generate`, as a stream. A candidate whose stream fails before its first text event is
   * replaced by the next one (same rules as `generate`); once text has been yielded, a failure ends
   * the stream with that error, since the consumer already holds part of that model's answer.
   */
  async *stream(request: OrchestratedRequest): AsyncGenerator<OrchestratedStreamEvent, void, undefined> {
    const plan = this.plan(request);
    const tried: TriedModel[] = [];
    const failures: ModelFailure[] = [];
    for (const spec of plan.order) {
      throwIfAborted(plan.call.signal);
      const started = this.now();
      let sawText = false;
      try {
        for await (const event of this.caller.stream(spec.id, plan.call, { strategy: plan.strategy, attempt: tried.length + 1 })) {
          if (event.type === 'text') {
            sawText = true;
            yield { type: 'text', text: event.text, model: spec.id };
            continue;
          }
          const latencyMs = this.now() - started;
          this.observe(spec.id, plan.taskKind, { ok: true, result: event.result, latencyMs });
          tried.push({ model: spec.id, ok: true, latencyMs });
          yield { type: 'done', result: event.result, strategy: plan.strategy, tried, skipped: plan.skipped };
          return;
        }
        throw new InternalError({ message: `The stream from model ${spec.id} ended without a result.` });
      } catch (raw) {
        const outcome: Outcome = { ok: false, raw, error: toLocalAgentError(raw), latencyMs: this.now() - started };
        if (!plan.call.signal?.aborted) this.observe(spec.id, plan.taskKind, outcome);
        tried.push({ model: spec.id, ok: false, errorCode: outcome.error.code, latencyMs: outcome.latencyMs });
        if (sawText) throw outcome.error;
        this.failOverOrThrow(spec.id, outcome, plan.call.signal);
        failures.push({ model: spec.id, error: outcome.error });
      }
    }
    throw this.allFailed(failures);
  }

  /**
   * Sends the request to every model at once and returns the first successful answer; the others
   * are aborted through their AbortSignals. Resolves once every member has settled (promptly, since
   * callers honour the signal), so each member's status and cost are final. The caller's signal
   * aborts every member.
   */
  async race(request: CallRequest, models: readonly string[]): Promise<RaceResult> {
    const { specs, skipped, call, taskKind } = this.parallelPlan(request, models);
    throwIfAborted(call.signal);
    const group = new AbortGroup(call.signal);
    const members: RaceMember[] = [];
    const errors: (LocalAgentError | undefined)[] = [];
    // A holder, not a `let`: TypeScript does not see assignments made inside the callbacks.
    const state: { winner?: CallResult } = {};
    try {
      await Promise.all(
        specs.map(async (spec, i) => {
          const controller = group.child();
          const outcome = await this.attempt(spec, taskKind, () => this.caller.generate(spec.id, { ...call, signal: controller.signal }, { strategy: 'race', attempt: i + 1 }), controller.signal);
          if (outcome.ok) {
            const won = state.winner === undefined;
            if (won) {
              state.winner = outcome.result;
              group.abortAll(lostRaceReason(), controller);
            }
            members[i] = { model: spec.id, status: won ? 'won' : 'lost', latencyMs: outcome.latencyMs, costUsd: outcome.result.costUsd };
          } else {
            const aborted = controller.signal.aborted;
            members[i] = { model: spec.id, status: aborted ? 'aborted' : 'failed', latencyMs: outcome.latencyMs, costUsd: 0, errorCode: outcome.error.code };
            if (!aborted) errors[i] = outcome.error;
          }
        }),
      );
    } finally {
      group.dispose();
    }
    const totalCostUsd = members.reduce((sum, m) => sum + m.costUsd, 0);
    if (state.winner !== undefined) return { result: state.winner, members, totalCostUsd, skipped };
    throwIfAborted(call.signal);
    throw this.allFailed(specs.flatMap((spec, i) => (errors[i] ? [{ model: spec.id, error: errors[i] }] : [])));
  }

  /**
   * Sends the request to every model at once, keeps every answer that succeeds, and chooses one by
   * `options.merge` (see `EnsembleOptions`). Fails only when every member failed. The caller's
   * signal aborts every member and the judge.
   */
  async ensemble(request: CallRequest, models: readonly string[], options: EnsembleOptions = { merge: 'vote' }): Promise<EnsembleResult> {
    const { merge } = options;
    if (!MERGE_MODES.includes(merge)) {
      throw new UserInputError({
        message: `Unknown merge mode "${String(merge)}".${didYouMean(String(merge), MERGE_MODES)}`,
        suggestion: `Use one of: ${MERGE_MODES.join(', ')}.`,
      });
    }
    if (merge === 'judge' && options.judgeModel === undefined) {
      throw new UserInputError({ message: 'Merging by judge needs a judge model.', suggestion: 'Name one with `judgeModel`, or merge by `vote`.' });
    }
    const judgeSpec = options.judgeModel === undefined ? undefined : this.spec(options.judgeModel);
    if (judgeSpec !== undefined && filterCapable([judgeSpec], { anyOf: ['text'], description: '' }).capable.length === 0) {
      throw noCapableModelError([judgeSpec.id], 'judge answers (needs capability "text")');
    }
    const { specs, skipped, call, taskKind } = this.parallelPlan(request, models);
    throwIfAborted(call.signal);

    const outcomes = await Promise.all(specs.map((spec, i) => this.attempt(spec, taskKind, () => this.caller.generate(spec.id, call, { strategy: 'ensemble', attempt: i + 1 }), call.signal)));
    throwIfAborted(call.signal);
    const members: EnsembleMember[] = outcomes.map((o, i) => {
      const model = (specs[i] as ModelSpec).id;
      return o.ok
        ? { model, status: 'ok', latencyMs: o.latencyMs, costUsd: o.result.costUsd, result: o.result }
        : { model, status: 'failed', latencyMs: o.latencyMs, costUsd: 0, errorCode: o.error.code };
    });
    const answers = members.flatMap((m) => (m.result ? [{ model: m.model, result: m.result }] : []));
    if (answers.length === 0) {
      throw this.allFailed(outcomes.flatMap((o, i) => (o.ok ? [] : [{ model: (specs[i] as ModelSpec).id, error: o.error }])));
    }

    let chosen: number | undefined;
    let decidedBy: EnsembleResult['decidedBy'] = 'only-answer';
    let judge: JudgeReport | undefined;
    let votes: EnsembleResult['votes'];
    if (answers.length === 1) {
      chosen = 0;
    } else if (judgeSpec !== undefined && (merge === 'judge' || merge === 'all')) {
      const verdict = await this.judge(judgeSpec, call, answers.map((a) => a.result.text));
      judge = verdict.report;
      if (verdict.index !== undefined) {
        chosen = verdict.index;
        decidedBy = 'judge';
      }
    }
    if (chosen === undefined) {
      const vote = majorityVote(answers);
      chosen = vote.index;
      votes = vote.tally;
      decidedBy = 'vote';
    }
    const memberCost = members.reduce((sum, m) => sum + m.costUsd, 0);
    return {
      result: (answers[chosen] as (typeof answers)[number]).result,
      merge,
      decidedBy,
      members,
      ...(merge === 'all' ? { alternatives: answers.map((a) => a.result) } : {}),
      ...(votes !== undefined ? { votes } : {}),
      ...(judge !== undefined ? { judge } : {}),
      totalCostUsd: memberCost + (judge?.costUsd ?? 0),
      skipped,
    };
  }

  /** Asks the judge to pick one of `answers`; never throws except for the caller's abort. */
  private async judge(spec: ModelSpec, call: CallRequest, answers: readonly string[]): Promise<{ index?: number; report: JudgeReport }> {
    const outcome = await this.attempt(spec, JUDGE_TASK_KIND, () => this.caller.generate(spec.id, judgeRequest(call, answers), { strategy: 'ensemble', attempt: answers.length + 1 }), call.signal);
    throwIfAborted(call.signal);
    if (!outcome.ok) {
      this.logger?.info({ model: spec.id, error_code: outcome.error.code }, 'judge failed; choosing by vote');
      return { report: { model: spec.id, status: 'failed', latencyMs: outcome.latencyMs, costUsd: 0, errorCode: outcome.error.code } };
    }
    const index = parseJudgeReply(outcome.result.text, answers.length);
    if (index === undefined) this.logger?.info({ model: spec.id }, 'judge named no answer; choosing by vote');
    const report: JudgeReport = {
      model: spec.id,
      status: index === undefined ? 'unclear' : 'picked',
      latencyMs: outcome.latencyMs,
      costUsd: outcome.result.costUsd,
      reply: outcome.result.text,
    };
    return index === undefined ? { report } : { index, report };
  }

  /** Resolves the request's candidates, strategy and order. Throws for bad input before any call. */
  private plan(request: OrchestratedRequest): Plan {
    const { model, models, strategy: requested, ...call } = request;
    if (requested !== undefined && !isStrategyName(requested)) {
      throw new UserInputError({
        message: `Unknown strategy "${String(requested)}".${didYouMean(String(requested), STRATEGY_NAMES)}`,
        suggestion: `Use one of: ${STRATEGY_NAMES.join(', ')}.`,
      });
    }
    if (model !== undefined && (models !== undefined || (requested !== undefined && requested !== 'explicit'))) {
      throw new UserInputError({
        message: '`model` names exactly one model, so it takes neither `models` nor a strategy other than explicit.',
        suggestion: 'Use `model` alone, or `models` with a strategy.',
      });
    }
    let strategy: StrategyName;
    let pool: ModelSpec[];
    let firstOnly = false;
    if (model !== undefined) {
      strategy = 'explicit';
      pool = [this.spec(model)];
    } else if (models !== undefined) {
      if (models.length === 0) throw emptyModelList();
      strategy = requested ?? 'fallback';
      pool = [...new Set(models)].map((id) => this.spec(id));
    } else if (requested === undefined && this.config.default_model !== undefined) {
      strategy = 'explicit';
      pool = [this.spec(this.config.default_model)];
    } else {
      strategy = requested ?? this.config.default_strategy;
      pool = [...this.catalog.list()];
      // "Explicit" over every model means the configured default: the first one that can serve.
      firstOnly = strategy === 'explicit';
    }
    const need = capabilityNeed(call);
    const { capable, skipped } = filterCapable(pool, need);
    if (capable.length === 0) throw noCapableModelError(pool.map((s) => s.id), need.description);
    const taskKind = call.taskKind ?? DEFAULT_TASK_KIND;
    const candidates = firstOnly ? capable.slice(0, 1) : capable;
    const ordered = this.strategies[strategy].order(candidates, { taskKind, stats: this.stats, request: call });
    // A person's own order (explicit, fallback) is kept as given; computed orders prefer native JSON.
    const order = strategy === 'explicit' || strategy === 'fallback' ? ordered : preferCapable(ordered, need);
    return { strategy, order, skipped, taskKind, call };
  }

  /** The members of a race or an ensemble: known, unique, capable. */
  private parallelPlan(request: CallRequest, models: readonly string[]): { specs: ModelSpec[]; skipped: string[]; call: CallRequest; taskKind: string } {
    if (models.length === 0) throw emptyModelList();
    const pool = [...new Set(models)].map((id) => this.spec(id));
    const need: CapabilityNeed = capabilityNeed(request);
    const { capable, skipped } = filterCapable(pool, need);
    if (capable.length === 0) throw noCapableModelError(pool.map((s) => s.id), need.description);
    return { specs: capable, skipped, call: request, taskKind: request.taskKind ?? DEFAULT_TASK_KIND };
  }

  private spec(id: string): ModelSpec {
    const spec = this.catalog.get(id);
    if (spec === undefined) throw unknownModelError(id, this.catalog.list().map((s) => s.id));
    return spec;
  }

  /** Runs one call, times it and records it. Never throws. */
  private async attempt(spec: ModelSpec, taskKind: string, call: () => Promise<CallResult>, signal?: AbortSignal): Promise<Outcome> {
    const started = this.now();
    let outcome: Outcome;
    try {
      const result = await call();
      outcome = { ok: true, result, latencyMs: this.now() - started };
    } catch (raw) {
      outcome = { ok: false, raw, error: toLocalAgentError(raw), latencyMs: this.now() - started };
    }
    // A failure of an aborted call says nothing about the model; recording it would skew the statistics.
    if (outcome.ok || !signal?.aborted) this.observe(spec.id, taskKind, outcome);
    return outcome;
  }

  /** Records a finished call, except cancellations (a decision, not a property of the model). */
  private observe(model: string, taskKind: string, outcome: Outcome): void {
    if (!this.recordStats) return;
    if (outcome.ok) {
      const { result } = outcome;
      this.stats.record({
        model,
        taskKind,
        success: true,
        latencyMs: result.latencyMs,
        ...(result.firstTokenMs !== undefined ? { firstTokenMs: result.firstTokenMs } : {}),
        inputTokens: result.usage.inputTokens,
        outputTokens: result.usage.outputTokens,
        costUsd: result.costUsd,
        at: new Date(),
      });
      return;
    }
    if (isCancellation(outcome.error)) return;
    this.stats.record({
      model,
      taskKind,
      success: false,
      latencyMs: outcome.latencyMs,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      errorCode: outcome.error.code,
      at: new Date(),
    });
  }

  /** Returns when the failure allows moving on; throws the caller's abort or the failure otherwise. */
  private failOverOrThrow(model: string, outcome: Extract<Outcome, { ok: false }>, signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw cancellationError(signal);
    if (!this.shouldFailOver(outcome.raw)) throw outcome.error;
    this.logger?.info({ model, error_code: outcome.error.code }, 'model failed; failing over to the next candidate');
  }

  /** One candidate's own error is more useful than a summary of one; several get LA_ALL_MODELS_FAILED. */
  private allFailed(failures: readonly ModelFailure[]): LocalAgentError {
    const [only] = failures;
    if (failures.length === 1 && only !== undefined) return only.error;
    if (failures.length === 0) return new InternalError({ message: 'No model was tried.' });
    return allModelsFailedError(failures);
  }
}

function emptyModelList(): UserInputError {
  return new UserInputError({ message: 'The list of models is empty.', suggestion: 'Name at least one model, or leave `models` out to use the default.' });
}
