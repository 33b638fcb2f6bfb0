import type { ModelPrice, Usage } from '../types/index.js';

/** Output tokens assumed for the worst case when a request sets no `maxOutputTokens`. */
export const DEFAULT_WORST_CASE_OUTPUT_TOKENS = 4096;

/**
 * Tokens a text will roughly take: about four characters per token for English and code under the
 * common BPE tokenizers. Only used for budget estimates, where erring high is fine; real usage
 * comes from the provider.
 */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

/** US dollars for a number of tokens at a model's prices (per million tokens). */
export function costOf(usage: Usage, price: ModelPrice): number {
  return (usage.inputTokens * price.input) / 1e6 + (usage.outputTokens * price.output) / 1e6;
}

/** The most a call could cost: the whole estimated prompt plus the full output allowance. */
export function worstCaseCost(inputChars: number, maxOutputTokens: number | undefined, price: ModelPrice): number {
  return costOf({ inputTokens: estimateTokens(inputChars), outputTokens: maxOutputTokens ?? DEFAULT_WORST_CASE_OUTPUT_TOKENS }, price);
}

export interface RunBudgetOptions {
  /** `orchestrator.max_cost_usd_per_run`; without it nothing is refused (spending is still tracked). */
  maxCostUsdPerRun?: number | undefined;
  /** Runs remembered at most; the oldest is forgotten beyond it, so a long-lived server does not grow. */
  maxRuns?: number | undefined;
}

/**
 * What each run has spent, for `orchestrator.max_cost_usd_per_run`. Owned by one `ProviderCaller`,
 * so it sees this process's calls; concurrent calls of one run are each checked before they are
 * sent, so together they can overshoot the limit by what they cost (see docs/orchestrator-providers.md).
 */
export class RunBudget {
  readonly limitUsd: number | undefined;
  private readonly maxRuns: number;
  private readonly spentByRun = new Map<string, number>();

  constructor(options: RunBudgetOptions = {}) {
    this.limitUsd = options.maxCostUsdPerRun;
    this.maxRuns = options.maxRuns ?? 10_000;
  }

  /** Dollars the run has spent so far (0 for an unknown run). */
  spent(runId: string): number {
    return this.spentByRun.get(runId) ?? 0;
  }

  /** True when the run has used its whole budget; calls for it are refused from then on. */
  exhausted(runId: string): boolean {
    return this.limitUsd !== undefined && this.spent(runId) >= this.limitUsd;
  }

  /** Adds a finished (or failed but billed) call's cost to its run. */
  add(runId: string, costUsd: number): void {
    if (costUsd <= 0 && this.spentByRun.has(runId)) return;
    const total = this.spent(runId) + Math.max(0, costUsd);
    // Re-inserting moves the run to the end, so eviction drops the least recently active one.
    this.spentByRun.delete(runId);
    this.spentByRun.set(runId, total);
    if (this.spentByRun.size > this.maxRuns) {
      const oldest = this.spentByRun.keys().next().value;
      if (oldest !== undefined) this.spentByRun.delete(oldest);
    }
  }

  /** Forgets a finished run. */
  release(runId: string): void {
    this.spentByRun.delete(runId);
  }
}
