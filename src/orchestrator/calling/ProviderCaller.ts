import type { LanguageModelV3 } from '@ai-sdk/provider';
import { Output, streamText, type LanguageModelUsage, type ModelMessage, type TextStreamPart, type ToolSet } from 'ai';
import type { ValidateFunction } from 'ajv';
import type { Counter, Histogram } from 'prom-client';
import { AuthenticationError, LocalAgentError, OperationCancelledError, toLocalAgentError } from '../../core/errors/index.js';
import type { Metrics } from '../../core/metrics/index.js';
import type { Span, Tracer } from '../../core/telemetry/index.js';
import { Redactor } from '../../core/redact/index.js';
import { cancellationError, type AttemptContext, type LoggerLike, type Resilience } from '../../core/resilience/index.js';
import { createLanguageModel, logAiSdkWarnings, resolveApiKey, supportsJsonMode, type GetKey, type ModelFactoryInput } from '../providers/index.js';
import type { ModelRegistry } from '../registry/index.js';
import type { CallAttempt, CallRequest, CallResult, ModelCaller, ModelSpec, ModelStats, ProviderSpec, StreamEvent, Usage } from '../types/index.js';
import { endCallSpan, noteFailedTry, startCallSpan } from './callSpan.js';
import { ConcurrencyLimiter } from './ConcurrencyLimiter.js';
import { costOf, DEFAULT_WORST_CASE_OUTPUT_TOKENS, estimateTokens, RunBudget, worstCaseCost } from './CostBudget.js';
import { budgetExceeded, firstTokenTimeout, outputInvalid, requestTimeout, type CallTarget } from './errors.js';
import { toProviderError } from './mapProviderError.js';
import { CALL_SECONDS_BUCKETS, COST_USD_TOTAL, MODEL_CALL_SECONDS, MODEL_CALLS_TOTAL, TOKENS_TOTAL } from './metricNames.js';
import { generateDirect } from './generateDirect.js';
import { buildPrompt, promptChars, type SdkPrompt } from './prompt.js';
import { checkJsonAnswer, jsonInstruction, repairInstruction, SchemaValidator } from './structuredOutput.js';

export interface ProviderCallerOptions {
  /** Where model ids and provider settings come from. */
  registry: ModelRegistry;
  /** Retry and circuit breaker, keyed by provider name (its breakers are what `models health` shows). */
  resilience: Resilience;
  /** Fetches a provider's key; see `keySourceFromStore`. */
  getKey: GetKey;
  /** Told every key string made for the SDK (the app passes `redactor.addSecret`). */
  onSecret?: ((value: string) => void) | undefined;
  /** Receives one observation per finished call. */
  stats?: ModelStats | undefined;
  metrics?: Metrics | undefined;
  logger?: LoggerLike | undefined;
  /** Replaces `globalThis.fetch` for every provider (tests, proxies). */
  fetch?: typeof globalThis.fetch | undefined;
  /** `orchestrator.max_cost_usd_per_call`. */
  maxCostUsdPerCall?: number | undefined;
  /** `orchestrator.max_cost_usd_per_run`. */
  maxCostUsdPerRun?: number | undefined;
  /** Output tokens the worst-case cost assumes when a request sets no `maxOutputTokens`. Default 4096. */
  worstCaseOutputTokens?: number | undefined;
  /** Makes the SDK model for a provider (default: `createLanguageModel`); chaos mode and tests wrap it. */
  createModel?: ((input: ModelFactoryInput) => LanguageModelV3) | undefined;
  /** Monotonic milliseconds, for latencies. */
  now?: (() => number) | undefined;
  /** Traces every call as a `chat <model>` span with the GenAI attributes; default none. */
  tracer?: Tracer | undefined;
}

type Outcome = 'success' | 'failure' | 'cancelled' | 'refused';

/** One call in progress: what it targets, and what it has used so far. */
interface Call {
  spec: ModelSpec;
  provider: ProviderSpec;
  target: CallTarget;
  request: CallRequest;
  prompt: SdkPrompt;
  validate: ValidateFunction | undefined;
  jsonMode: boolean;
  startedAt: number;
  /** When the first request left (after the concurrency queue); latencies count from here. */
  sentAt: number | undefined;
  firstTokenAt: number | undefined;
  /** Tries so far, over retries and the repair request. */
  attempts: number;
  usage: Usage;
  costUsd: number;
  recorded: boolean;
  /** The call's trace span, when tracing is on. */
  span: Span | undefined;
  finishReason: string | undefined;
  /** The model and response id the provider reported (for the span). */
  responseModel: string | undefined;
  responseId: string | undefined;
}

/** One answered request. */
interface Answer {
  text: string;
  usage: Usage;
  finishReason: string | undefined;
}

/** A stream past its first text, handed from the retried opening phase to the reading phase. */
interface OpenStream {
  iterator: AsyncIterator<TextStreamPart<ToolSet>>;
  controller: AbortController;
  firstText: string;
  /** The stream finished before any text (an empty answer). */
  ended: boolean;
  usage: LanguageModelUsage | undefined;
  finishReason: string | undefined;
  close: () => void;
}

/**
 * Asks a schema-less JSON mode of providers that have one (`responseFormat: { type: 'json' }`)
 * while leaving the text unparsed: parsing and validation are ours (ajv, one repair), and the
 * SDK's own `Output.json()` would throw on invalid JSON before we could repair it.
 */
const JSON_MODE = { ...Output.text(), name: 'json-text', responseFormat: Promise.resolve({ type: 'json' as const }) };

/**
 * Calls one model of the registry through the AI SDK, with everything a call needs around it:
 * per-provider retry and circuit breaker (`Resilience`, keyed by provider name), a per-provider
 * concurrency limit, request and first-token timeouts, error mapping, JSON output with one repair,
 * cost budgets, statistics and metrics. The SDK's own retries are off (`maxRetries: 0`): retrying
 * is the orchestrator's. Streams retry and fail over only before their first text; after it, an
 * error ends the stream (text is never repeated, a request never paid twice).
 */
export class ProviderCaller implements ModelCaller {
  private readonly registry: ModelRegistry;
  private readonly resilience: Resilience;
  private readonly getKey: GetKey;
  private readonly onSecret: ((value: string) => void) | undefined;
  private readonly stats: ModelStats | undefined;
  private readonly logger: LoggerLike | undefined;
  private readonly fetchFn: typeof globalThis.fetch | undefined;
  private readonly maxCostUsdPerCall: number | undefined;
  private readonly worstCaseOutputTokens: number;
  private readonly createModel: (input: ModelFactoryInput) => LanguageModelV3;
  private readonly now: () => number;
  private readonly tracer: Tracer | undefined;
  private readonly limiter = new ConcurrencyLimiter();
  private readonly validator = new SchemaValidator();
  private readonly runBudget: RunBudget;
  /** Scrubs provider text we repeat in errors: knows the keys this caller resolved, and key shapes. */
  private readonly scrubber = new Redactor();
  /** Key lookups per provider, shared by concurrent calls; dropped on failure so a newly stored key is found. */
  private readonly keys = new Map<string, Promise<string | undefined>>();
  private readonly models = new Map<string, LanguageModelV3>();
  private readonly calls: Counter<string> | undefined;
  private readonly seconds: Histogram<string> | undefined;
  private readonly tokens: Counter<string> | undefined;
  private readonly cost: Counter<string> | undefined;

  constructor(options: ProviderCallerOptions) {
    this.registry = options.registry;
    this.resilience = options.resilience;
    this.getKey = options.getKey;
    this.onSecret = options.onSecret;
    this.stats = options.stats;
    this.logger = options.logger;
    this.fetchFn = options.fetch;
    this.maxCostUsdPerCall = options.maxCostUsdPerCall;
    this.worstCaseOutputTokens = options.worstCaseOutputTokens ?? DEFAULT_WORST_CASE_OUTPUT_TOKENS;
    this.createModel = options.createModel ?? createLanguageModel;
    this.now = options.now ?? (() => performance.now());
    this.tracer = options.tracer;
    this.runBudget = new RunBudget({ maxCostUsdPerRun: options.maxCostUsdPerRun });
    const metrics = options.metrics;
    this.calls = metrics?.counter(MODEL_CALLS_TOTAL, 'Model calls by model, provider and outcome.', ['model', 'provider', 'outcome']);
    this.seconds = metrics?.histogram(MODEL_CALL_SECONDS, 'Model call duration in seconds, by model.', ['model'], CALL_SECONDS_BUCKETS);
    this.tokens = metrics?.counter(TOKENS_TOTAL, 'Tokens used by model calls, by model and direction.', ['model', 'direction']);
    this.cost = metrics?.counter(COST_USD_TOTAL, 'US dollars spent on model calls, by model.', ['model']);
  }

  async generate(modelId: string, request: CallRequest, attempt?: CallAttempt): Promise<CallResult> {
    const call = this.prepare(modelId, request, attempt, false);
    try {
      const model = await this.modelFor(call);
      const answer = await this.answerWithRetries(call, model, call.prompt);
      const { text, json } = await this.structured(call, model, answer);
      return this.succeed(call, text, json, answer.finishReason);
    } catch (thrown) {
      throw this.fail(call, thrown);
    }
  }

  async *stream(modelId: string, request: CallRequest, attempt?: CallAttempt): AsyncGenerator<StreamEvent, void, undefined> {
    const call = this.prepare(modelId, request, attempt, true);
    let open: OpenStream | undefined;
    let streamed = '';
    let done = false;
    try {
      const model = await this.modelFor(call);
      open = (await this.resilience.executeDetailed(call.provider.name, (ctx) => this.openStream(call, model, ctx), { signal: request.signal })).value;
      const current = open;
      let usage = current.usage;
      let finishReason = current.finishReason;
      if (current.firstText) {
        streamed += current.firstText;
        yield { type: 'text', text: current.firstText };
      }
      // From here on nothing is retried: text has reached the caller.
      while (!current.ended) {
        let next: IteratorResult<TextStreamPart<ToolSet>>;
        try {
          next = await current.iterator.next();
        } catch (thrown) {
          throw this.attemptError(call, thrown, current.controller.signal);
        }
        if (next.done) break;
        // Parts the SDK had buffered must not reach a caller that has already given up, or outlive a timeout.
        if (current.controller.signal.aborted) throw this.attemptError(call, undefined, current.controller.signal);
        const part = next.value;
        if (part.type === 'text-delta' && part.text.length > 0) {
          streamed += part.text;
          yield { type: 'text', text: part.text };
        } else if (part.type === 'error') {
          throw this.attemptError(call, part.error, current.controller.signal);
        } else if (part.type === 'abort') {
          throw this.attemptError(call, undefined, current.controller.signal);
        } else if (part.type === 'finish') {
          usage = part.totalUsage;
          finishReason = part.finishReason;
        } else if (part.type === 'finish-step') {
          call.responseModel = part.response.modelId;
          call.responseId = part.response.id;
        }
      }
      if (current.controller.signal.aborted) throw this.attemptError(call, undefined, current.controller.signal);
      current.close();
      this.account(call, this.usageOf(usage, call.prompt, streamed));
      const answer: Answer = { text: streamed, usage: call.usage, finishReason };
      const { text, json } = await this.structured(call, model, answer);
      const result = this.succeed(call, text, json, finishReason);
      done = true;
      yield { type: 'done', result };
    } catch (thrown) {
      this.accountPartial(call, streamed);
      throw this.fail(call, thrown);
    } finally {
      if (open) {
        if (!done) open.controller.abort(new OperationCancelledError({ message: 'The stream was closed before it finished.' }));
        open.close();
        void open.iterator.return?.().catch(() => undefined);
      }
      // The consumer stopped reading early (break, return): the call ends here, by its decision.
      if (!call.recorded) {
        this.accountPartial(call, streamed);
        this.record(call, 'cancelled', undefined);
      }
    }
  }

  /** Dollars run `runId` has spent through this caller. */
  spentUsd(runId: string): number {
    return this.runBudget.spent(runId);
  }

  /** Forgets a finished run's spending. */
  releaseRun(runId: string): void {
    this.runBudget.release(runId);
  }

  /** Requests in flight and waiting for a provider. */
  load(provider: string): { active: number; pending: number } {
    return this.limiter.load(provider);
  }

  /** Drops cached keys and models (all, or one provider's), so the next call reads the key store again. */
  forgetKeys(provider?: string): void {
    for (const name of provider === undefined ? [...this.keys.keys()] : [provider]) this.keys.delete(name);
    for (const key of [...this.models.keys()]) if (provider === undefined || key.startsWith(`${provider}\u0000`)) this.models.delete(key);
  }

  /** Everything that can be refused before sending: unknown model, bad request or schema, budgets. */
  private prepare(modelId: string, request: CallRequest, attempt: CallAttempt | undefined, stream: boolean): Call {
    const spec = this.registry.model(modelId);
    const provider = this.registry.provider(spec.provider);
    const validate = request.schema ? this.validator.compile(request.schema) : undefined;
    const prompt = buildPrompt(request, request.schema ? jsonInstruction(request.schema) : undefined);
    const call: Call = {
      spec,
      provider,
      target: { provider: provider.name, model: spec.id },
      request,
      prompt,
      validate,
      jsonMode: request.schema !== undefined && request.schema['type'] === 'object' && supportsJsonMode(provider.type),
      startedAt: this.now(),
      sentAt: undefined,
      firstTokenAt: undefined,
      attempts: 0,
      usage: { inputTokens: 0, outputTokens: 0 },
      costUsd: 0,
      recorded: false,
      span: this.tracer ? startCallSpan(this.tracer, { spec, provider, request, attempt, stream }) : undefined,
      finishReason: undefined,
      responseModel: undefined,
      responseId: undefined,
    };
    try {
      this.checkBudget(call, promptChars(prompt));
    } catch (error) {
      this.record(call, 'refused', toLocalAgentError(error));
      throw error;
    }
    if (request.signal?.aborted) {
      const error = cancellationError(request.signal);
      this.endSpan(call, 'cancelled', error);
      throw error;
    }
    return call;
  }

  /** Refuses a request whose worst case exceeds a limit (net of what this call already spent), or a spent run. */
  private checkBudget(call: Call, inputChars: number): void {
    const { request, spec, target } = call;
    const worstCaseUsd = call.costUsd + worstCaseCost(inputChars, request.maxOutputTokens ?? this.worstCaseOutputTokens, spec.price);
    if (request.maxCostUsd !== undefined && worstCaseUsd > request.maxCostUsd) {
      throw budgetExceeded(target, 'request', { limitUsd: request.maxCostUsd, worstCaseUsd });
    }
    if (this.maxCostUsdPerCall !== undefined && worstCaseUsd > this.maxCostUsdPerCall) {
      throw budgetExceeded(target, 'call', { limitUsd: this.maxCostUsdPerCall, worstCaseUsd });
    }
    if (request.runId !== undefined && this.runBudget.exhausted(request.runId)) {
      throw budgetExceeded(target, 'run', { limitUsd: this.runBudget.limitUsd ?? 0, spentUsd: this.runBudget.spent(request.runId), runId: request.runId });
    }
  }

  /** The SDK model for the call's provider and model, made once per key. */
  private async modelFor(call: Call): Promise<LanguageModelV3> {
    const { provider, spec } = call;
    const cacheKey = `${provider.name}\u0000${spec.model}`;
    const cached = this.models.get(cacheKey);
    if (cached) return cached;
    let key = this.keys.get(provider.name);
    if (!key) {
      key = resolveApiKey(provider, {
        getKey: this.getKey,
        onSecret: (value) => {
          this.scrubber.addSecret(value);
          this.onSecret?.(value);
        },
      });
      this.keys.set(provider.name, key);
      key.catch(() => this.keys.delete(provider.name));
    }
    const apiKey = await key;
    const model = this.createModel({ provider, model: spec.model, apiKey, fetch: this.fetchFn });
    this.models.set(cacheKey, model);
    return model;
  }

  /** One request (`generateDirect`) under the provider's retry, breaker, concurrency limit and timeout. */
  private async answerWithRetries(call: Call, model: LanguageModelV3, prompt: SdkPrompt): Promise<Answer> {
    const outcome = await this.resilience.executeDetailed(call.provider.name, (ctx) => this.answerOnce(call, model, prompt, ctx), {
      signal: call.request.signal,
    });
    this.account(call, outcome.value.usage);
    return outcome.value;
  }

  private async answerOnce(call: Call, model: LanguageModelV3, prompt: SdkPrompt, ctx: AttemptContext): Promise<Answer> {
    call.attempts += 1;
    const release = await this.limiter.acquire(call.provider.name, call.provider.maxConcurrency, ctx.signal);
    const { controller, dispose } = linkedController(ctx.signal);
    const timer = setTimeout(() => controller.abort(requestTimeout(call.target, call.provider.timeoutMs)), call.provider.timeoutMs);
    call.sentAt ??= this.now();
    try {
      const { temperature, maxOutputTokens } = call.request;
      const result = await generateDirect(model, prompt, { temperature, maxOutputTokens, json: call.jsonMode, abortSignal: controller.signal });
      call.responseModel = result.responseModel;
      call.responseId = result.responseId;
      // generateText logged these; the same line the SDK's streamed calls log (routeAiSdkWarnings).
      logAiSdkWarnings(this.logger, { warnings: result.warnings, provider: model.provider, model: model.modelId });
      return { text: result.text, usage: this.usageOf(result, prompt, result.text), finishReason: result.finishReason };
    } catch (thrown) {
      const error = this.attemptError(call, thrown, controller.signal);
      noteFailedTry(call.span, error, call.attempts);
      throw error;
    } finally {
      clearTimeout(timer);
      dispose();
      release();
    }
  }

  /**
   * The retried part of a stream: queue, request, and reading until the first text (or the end of
   * an empty answer). A stream that sends no text within `firstTokenTimeoutMs` is aborted and fails
   * with `LA_FIRST_TOKEN_TIMEOUT`, which retries and fails over like any transient error. The
   * concurrency slot and the request timeout stay with the returned stream until it is closed.
   */
  private async openStream(call: Call, model: LanguageModelV3, ctx: AttemptContext): Promise<OpenStream> {
    call.attempts += 1;
    const release = await this.limiter.acquire(call.provider.name, call.provider.maxConcurrency, ctx.signal);
    const { controller, dispose } = linkedController(ctx.signal);
    const { timeoutMs, firstTokenTimeoutMs } = call.provider;
    const timer = setTimeout(() => controller.abort(requestTimeout(call.target, timeoutMs)), timeoutMs);
    const firstTokenTimer = setTimeout(() => controller.abort(firstTokenTimeout(call.target, firstTokenTimeoutMs)), firstTokenTimeoutMs);
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      clearTimeout(firstTokenTimer);
      dispose();
      release();
    };
    call.sentAt ??= this.now();
    let iterator: AsyncIterator<TextStreamPart<ToolSet>> | undefined;
    try {
      const result = streamText({
        model,
        ...this.settings(call, call.prompt),
        abortSignal: controller.signal,
        ...(call.jsonMode ? { output: JSON_MODE } : {}),
        // Errors arrive in the stream and are handled there; the default handler would console.error them.
        onError: () => undefined,
      });
      iterator = result.fullStream[Symbol.asyncIterator]();
      let usage: LanguageModelUsage | undefined;
      let finishReason: string | undefined;
      for (;;) {
        const next = await iterator.next();
        if (next.done) {
          if (controller.signal.aborted) throw this.attemptError(call, undefined, controller.signal);
          clearTimeout(firstTokenTimer);
          return { iterator, controller, firstText: '', ended: true, usage, finishReason, close };
        }
        const part = next.value;
        if (part.type === 'text-delta' && part.text.length > 0) {
          clearTimeout(firstTokenTimer);
          call.firstTokenAt = this.now();
          return { iterator, controller, firstText: part.text, ended: false, usage, finishReason, close };
        }
        if (part.type === 'error') throw this.attemptError(call, part.error, controller.signal);
        if (part.type === 'abort') throw this.attemptError(call, undefined, controller.signal);
        if (part.type === 'finish') {
          usage = part.totalUsage;
          finishReason = part.finishReason;
        }
      }
    } catch (thrown) {
      // Work out what went wrong before aborting the request (which would look like a cancellation).
      const error = thrown instanceof LocalAgentError ? thrown : this.attemptError(call, thrown, controller.signal);
      noteFailedTry(call.span, error, call.attempts);
      controller.abort(error);
      close();
      void iterator?.return?.().catch(() => undefined);
      throw error;
    }
  }

  /** Validates JSON answers, with one repair request for an invalid one. */
  private async structured(call: Call, model: LanguageModelV3, answer: Answer): Promise<{ text: string; json?: unknown }> {
    const validate = call.validate;
    if (!validate) return { text: answer.text };
    const first = checkJsonAnswer(answer.text, validate);
    if (first.ok) return { text: answer.text, json: first.value };
    this.logger?.debug({ model: call.spec.id, provider: call.provider.name, problems: first.problems.length }, 'answer does not match the schema; asking once for a correction');
    const messages: ModelMessage[] = [
      ...call.prompt.messages,
      { role: 'assistant', content: answer.text },
      { role: 'user', content: repairInstruction(first.problems) },
    ];
    const repairPrompt: SdkPrompt = { ...(call.prompt.system !== undefined ? { system: call.prompt.system } : {}), messages };
    this.checkBudget(call, promptChars(repairPrompt));
    const repaired = await this.answerWithRetries(call, model, repairPrompt);
    const second = checkJsonAnswer(repaired.text, validate);
    if (!second.ok) throw outputInvalid(call.target, second.problems);
    return { text: repaired.text, json: second.value };
  }

  private settings(call: Call, prompt: SdkPrompt) {
    const { request } = call;
    return {
      ...(prompt.system !== undefined ? { system: prompt.system } : {}),
      messages: prompt.messages,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.maxOutputTokens !== undefined ? { maxOutputTokens: request.maxOutputTokens } : {}),
      // Retrying is the orchestrator's (Resilience), so failures count once each towards the breaker.
      maxRetries: 0,
    };
  }

  /**
   * The error for a failed attempt. Our own aborts are told apart first: the caller's signal means
   * cancellation (or the caller's own reason), our timers mean their `TimeoutError`s. Anything else
   * goes through the error mapping. A refused key drops the cached key so a corrected one is used.
   */
  private attemptError(call: Call, thrown: unknown, own: AbortSignal): LocalAgentError {
    const callerSignal = call.request.signal;
    let error: LocalAgentError;
    if (callerSignal?.aborted) error = cancellationError(callerSignal);
    // Our timers abort with their TimeoutError as the reason, which cancellationError keeps.
    else if (own.aborted) error = cancellationError(own);
    else error = toProviderError(thrown, { ...call.target, scrub: (t) => this.scrubber.text(t) });
    if (error instanceof AuthenticationError && error.code !== 'LA_PROVIDER_NO_KEY') this.forgetKeys(call.provider.name);
    return error;
  }

  /** Usage as reported, or estimated (≈ 4 characters a token) where the provider reported none. */
  private usageOf(usage: { inputTokens?: number | undefined; outputTokens?: number | undefined } | undefined, prompt: SdkPrompt, text: string): Usage {
    return {
      inputTokens: usage?.inputTokens ?? estimateTokens(promptChars(prompt)),
      outputTokens: usage?.outputTokens ?? estimateTokens(text.length),
    };
  }

  private account(call: Call, usage: Usage): void {
    call.usage = { inputTokens: call.usage.inputTokens + usage.inputTokens, outputTokens: call.usage.outputTokens + usage.outputTokens };
    call.costUsd += costOf(usage, call.spec.price);
  }

  /** A stream that ended early was still billed for the text it produced, though it reported no usage: estimate it. */
  private accountPartial(call: Call, streamed: string): void {
    if (streamed.length > 0 && call.usage.outputTokens === 0) this.account(call, this.usageOf(undefined, call.prompt, streamed));
  }

  private succeed(call: Call, text: string, json: unknown, finishReason: string | undefined): CallResult {
    const end = this.now();
    const from = call.sentAt ?? call.startedAt;
    const result: CallResult = {
      text,
      ...(json !== undefined ? { json } : {}),
      model: call.spec.id,
      provider: call.provider.name,
      usage: { ...call.usage },
      costUsd: call.costUsd,
      latencyMs: Math.round(end - from),
      ...(call.firstTokenAt !== undefined ? { firstTokenMs: Math.round(call.firstTokenAt - from) } : {}),
      attempts: call.attempts,
      ...(finishReason !== undefined ? { finishReason } : {}),
    };
    call.finishReason = finishReason;
    this.record(call, 'success', undefined);
    return result;
  }

  private fail(call: Call, thrown: unknown): LocalAgentError {
    const error = toLocalAgentError(thrown);
    if (call.recorded) return error;
    const cancelled = call.request.signal?.aborted === true || error instanceof OperationCancelledError;
    this.record(call, cancelled ? 'cancelled' : 'failure', error);
    return error;
  }

  /**
   * Metrics for every ending; spending for the run; an observation for statistics when the call
   * said something about the model (not for refusals before sending, nor for cancellations).
   */
  private record(call: Call, outcome: Outcome, error: LocalAgentError | undefined): void {
    if (call.recorded) return;
    call.recorded = true;
    const model = call.spec.id;
    const latencyMs = Math.round(this.now() - (call.sentAt ?? call.startedAt));
    this.calls?.inc({ model, provider: call.provider.name, outcome });
    if (call.sentAt !== undefined) this.seconds?.observe({ model }, latencyMs / 1000);
    if (call.usage.inputTokens > 0) this.tokens?.inc({ model, direction: 'input' }, call.usage.inputTokens);
    if (call.usage.outputTokens > 0) this.tokens?.inc({ model, direction: 'output' }, call.usage.outputTokens);
    if (call.costUsd > 0) this.cost?.inc({ model }, call.costUsd);
    if (call.request.runId !== undefined) this.runBudget.add(call.request.runId, call.costUsd);
    if (outcome === 'success' || outcome === 'failure') {
      this.stats?.record({
        model,
        taskKind: call.request.taskKind ?? 'ai',
        success: outcome === 'success',
        latencyMs,
        ...(call.firstTokenAt !== undefined && call.sentAt !== undefined ? { firstTokenMs: Math.round(call.firstTokenAt - call.sentAt) } : {}),
        inputTokens: call.usage.inputTokens,
        outputTokens: call.usage.outputTokens,
        costUsd: call.costUsd,
        ...(error ? { errorCode: error.code } : {}),
        at: new Date(),
      });
    }
    this.logger?.debug(
      {
        model,
        provider: call.provider.name,
        outcome,
        attempts: call.attempts,
        latency_ms: latencyMs,
        input_tokens: call.usage.inputTokens,
        output_tokens: call.usage.outputTokens,
        cost_usd: call.costUsd,
        ...(error ? { error_code: error.code } : {}),
      },
      'model call finished',
    );
    this.endSpan(call, outcome, error);
  }

  private endSpan(call: Call, outcome: Outcome, error: LocalAgentError | undefined): void {
    endCallSpan(call.span, {
      outcome,
      error,
      usage: call.usage,
      costUsd: call.costUsd,
      tries: call.attempts,
      sent: call.sentAt !== undefined,
      finishReason: call.finishReason,
      responseModel: call.responseModel,
      responseId: call.responseId,
      firstChunkMs: call.firstTokenAt !== undefined && call.sentAt !== undefined ? call.firstTokenAt - call.sentAt : undefined,
    });
  }
}

/** A controller that aborts with `parent`, and a function removing the link (listeners must not pile up on long-lived signals). */
function linkedController(parent: AbortSignal): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, dispose: () => undefined };
  }
  const onAbort = (): void => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return { controller, dispose: () => parent.removeEventListener('abort', onAbort) };
}
