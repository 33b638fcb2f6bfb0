import type { AltTask } from '../../formats/index.js';
import type { Tool, ToolContext } from '../types/index.js';
import { enforcePolicy, type DecisionListener } from './enforcePolicy.js';
import { evaluateJsonata } from './evaluateJsonata.js';
import { durationToMs, throwIfAborted } from './toolErrors.js';

export interface TransformToolOptions {
  /** Time limit when the task sets no `timeout`; capped by `limits.defaultTimeoutMs`. Default 10 s. */
  defaultTimeoutMs?: number;
  /** Heap limit of the evaluating worker, in MiB. Default 256. */
  maxHeapMb?: number;
  onDecision?: DecisionListener;
}

type TransformTask = Extract<AltTask, { kind: 'transform' }>;

/** How much of the expression the policy request carries as its resource. */
const RESOURCE_CHARS = 200;

/**
 * Evaluates the task's JSONata `expr` over `{ inputs, tasks }` (`ToolContext.scope`); the output
 * is the value. Runs in a worker thread that is terminated at the time limit (see
 * `evaluateJsonata`), so an endless expression cannot hold the runner.
 */
export class TransformTool implements Tool<'transform'> {
  readonly kind = 'transform' as const;
  private readonly defaultTimeoutMs: number;
  private readonly maxHeapMb: number | undefined;
  private readonly onDecision: DecisionListener | undefined;

  constructor(options: TransformToolOptions = {}) {
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 10_000;
    this.maxHeapMb = options.maxHeapMb;
    this.onDecision = options.onDecision;
  }

  async run(task: TransformTask, context: ToolContext): Promise<unknown> {
    throwIfAborted(context.signal, 'The transform');
    await enforcePolicy(context, 'transform.evaluate', task.expr.slice(0, RESOURCE_CHARS), {}, this.onDecision);
    // An expression is pure computation: without an explicit timeout it gets seconds, not the minutes a command may need.
    const timeoutMs = durationToMs(task.timeout) ?? Math.min(this.defaultTimeoutMs, context.limits.defaultTimeoutMs);
    return evaluateJsonata(task.expr, { inputs: context.scope.inputs, tasks: context.scope.tasks }, {
      timeoutMs,
      signal: context.signal,
      ...(this.maxHeapMb !== undefined ? { maxHeapMb: this.maxHeapMb } : {}),
    });
  }
}
