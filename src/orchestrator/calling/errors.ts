import { ProviderError, TimeoutError, UserInputError } from '../../core/errors/index.js';

/** Which provider and model an error is about; every message names both. */
export interface CallTarget {
  /** `ProviderSpec.name`. */
  provider: string;
  /** `ModelSpec.id`. */
  model: string;
}

export const who = (target: CallTarget): string => `"${target.provider}" (model "${target.model}")`;

/** A stream produced no text within `first_token_timeout_ms`. Transient, so callers retry or fail over. */
export function firstTokenTimeout(target: CallTarget, timeoutMs: number): TimeoutError {
  return new TimeoutError({
    code: 'LA_FIRST_TOKEN_TIMEOUT',
    message: `${who(target)} sent no text within ${timeoutMs} ms of the request.`,
    suggestion: `Try again, raise providers.${target.provider}.first_token_timeout_ms, or configure a fallback model.`,
    provider: target.provider,
    details: { model: target.model, first_token_timeout_ms: timeoutMs },
  });
}

/** A request (or stream) ran past `timeout_ms`. */
export function requestTimeout(target: CallTarget, timeoutMs: number): TimeoutError {
  return new TimeoutError({
    message: `${who(target)} did not finish within ${timeoutMs} ms.`,
    suggestion: `Try again, raise providers.${target.provider}.timeout_ms, ask for a shorter answer, or pick a faster model.`,
    provider: target.provider,
    details: { model: target.model, timeout_ms: timeoutMs },
  });
}

/** Which limit refused a call. */
export type BudgetScope = 'request' | 'call' | 'run';

/**
 * A call was refused before it was sent because it could cost more than a limit allows. Category
 * `user`: a person set the limit and decides whether to raise it.
 */
export function budgetExceeded(
  target: CallTarget,
  scope: BudgetScope,
  facts: { limitUsd: number; worstCaseUsd?: number; spentUsd?: number; runId?: string },
): UserInputError {
  const usd = (n: number): string => `$${n.toFixed(n < 0.01 ? 6 : 4)}`;
  const message =
    scope === 'run'
      ? `Run "${facts.runId ?? ''}" has spent ${usd(facts.spentUsd ?? 0)} of its ${usd(facts.limitUsd)} budget; the call to ${who(target)} was not sent.`
      : `A call to ${who(target)} could cost up to ${usd(facts.worstCaseUsd ?? 0)}, more than the ${usd(facts.limitUsd)} ${scope === 'call' ? 'per-call limit (orchestrator.max_cost_usd_per_call)' : 'limit of this request'}; it was not sent.`;
  const suggestion =
    scope === 'run'
      ? 'Raise orchestrator.max_cost_usd_per_run, or run the plan again with cheaper or local models.'
      : 'Shorten the prompt, lower the maximum output tokens, raise the limit, or pick a cheaper model.';
  return new UserInputError({
    code: 'LA_BUDGET_EXCEEDED',
    message,
    suggestion,
    details: {
      provider: target.provider,
      model: target.model,
      scope,
      limit_usd: facts.limitUsd,
      ...(facts.worstCaseUsd !== undefined ? { worst_case_usd: facts.worstCaseUsd } : {}),
      ...(facts.spentUsd !== undefined ? { spent_usd: facts.spentUsd } : {}),
      ...(facts.runId !== undefined ? { run_id: facts.runId } : {}),
    },
  });
}

/** The answer did not satisfy the request's schema, even after the repair attempt. */
export function outputInvalid(target: CallTarget, problems: string[]): ProviderError {
  return new ProviderError({
    code: 'LA_MODEL_OUTPUT_INVALID',
    message: `${who(target)} did not answer with JSON matching the schema, even after being asked to correct it: ${problems.slice(0, 3).join('; ')}.`,
    suggestion: 'Simplify the schema or describe the expected JSON in the prompt, or use a model that follows instructions more closely.',
    provider: target.provider,
    details: { model: target.model, problems: problems.slice(0, 10) },
  });
}

/** The request's `schema` is not a valid JSON Schema; nothing was sent. */
export function schemaInvalid(problem: string, cause?: unknown): UserInputError {
  return new UserInputError({
    code: 'LA_SCHEMA_INVALID',
    message: `The output schema is not a valid JSON Schema: ${problem}.`,
    suggestion: 'Fix the schema (draft-07 or 2020-12) and try again.',
    ...(cause !== undefined ? { cause } : {}),
  });
}
