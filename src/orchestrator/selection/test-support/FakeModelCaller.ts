import { SystemClock } from '../../../core/resilience/index.js';
import type { CallRequest, CallResult, ModelCaller, ModelSpec, StreamEvent } from '../../types/index.js';
import type { ModelCatalog } from '../ModelCatalog.js';

/** What one scripted call does. */
export interface Step {
  /** Milliseconds (fake timers) before it answers, fails, or yields its first chunk. */
  latencyMs?: number;
  /** Fails with this after the latency (after `chunks` for streams). */
  error?: unknown;
  /** The answer; defaults to `answer from <model>`. */
  text?: string;
  json?: unknown;
  costUsd?: number;
  /** Streams: the text chunks yielded before `done` (or before `error`). Defaults to the text as one chunk, none when `error` is set. */
  chunks?: string[];
  /** Ignores the AbortSignal (a misbehaving caller), to produce a race member that finishes after losing. */
  ignoreAbort?: boolean;
  /** Streams: end without the `done` event. */
  noDone?: boolean;
}

/** One call the fake received. */
export interface FakeCall {
  model: string;
  request: CallRequest;
  kind: 'generate' | 'stream';
  /** Set when the call ended because its signal aborted. */
  aborted: boolean;
}

/** Resolves after `ms` on the (fake) timers; rejects like the real caller as soon as `signal` aborts. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new SystemClock().sleep(ms, signal);
}

/**
 * A ModelCaller scripted per model: each call takes the model's next step (the last one repeats).
 * Honours AbortSignals like the real one, and records every call and whether it was aborted.
 */
export class FakeModelCaller implements ModelCaller {
  readonly calls: FakeCall[] = [];
  private readonly scripts = new Map<string, Step[]>();
  private readonly used = new Map<string, number>();

  script(model: string, ...steps: Step[]): this {
    this.scripts.set(model, steps);
    return this;
  }

  callsTo(model: string): FakeCall[] {
    return this.calls.filter((c) => c.model === model);
  }

  async generate(model: string, request: CallRequest): Promise<CallResult> {
    const step = this.next(model);
    const call: FakeCall = { model, request, kind: 'generate', aborted: false };
    this.calls.push(call);
    try {
      await wait(step.latencyMs ?? 0, step.ignoreAbort ? undefined : request.signal);
    } catch (error) {
      call.aborted = true;
      throw error;
    }
    if (step.error !== undefined) throw step.error;
    return this.result(model, step);
  }

  async *stream(model: string, request: CallRequest): AsyncGenerator<StreamEvent> {
    const step = this.next(model);
    const call: FakeCall = { model, request, kind: 'stream', aborted: false };
    this.calls.push(call);
    try {
      await wait(step.latencyMs ?? 0, request.signal);
    } catch (error) {
      call.aborted = true;
      throw error;
    }
    const result = this.result(model, step);
    const chunks = step.chunks ?? (step.error === undefined ? [result.text] : []);
    for (const text of chunks) yield { type: 'text', text };
    if (step.error !== undefined) throw step.error;
    if (!step.noDone) yield { type: 'done', result };
  }

  private next(model: string): Step {
    const steps = this.scripts.get(model) ?? [{}];
    const index = this.used.get(model) ?? 0;
    this.used.set(model, index + 1);
    return steps[Math.min(index, steps.length - 1)] ?? {};
  }

  private result(model: string, step: Step): CallResult {
    const text = step.text ?? `answer from ${model}`;
    return {
      text,
      ...(step.json !== undefined ? { json: step.json } : {}),
      model,
      provider: 'fake',
      usage: { inputTokens: 10, outputTokens: 5 },
      costUsd: step.costUsd ?? 0,
      latencyMs: step.latencyMs ?? 0,
      attempts: 1,
    };
  }
}

/** A ModelSpec with text capability and no price unless given. */
export function spec(id: string, extra: Partial<ModelSpec> = {}): ModelSpec {
  return { id, provider: 'fake', model: id, price: { input: 0, output: 0 }, capabilities: ['text'], ...extra };
}

/** A catalog over the given specs, in that order. */
export function catalogOf(specs: readonly ModelSpec[]): ModelCatalog {
  const byId = new Map(specs.map((s) => [s.id, s]));
  return { list: () => specs, get: (id) => byId.get(id) };
}
