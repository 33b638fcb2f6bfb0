import type { CallResult, Orchestrator, OrchestratedRequest, StrategyName } from '../../orchestrator/index.js';
import { enforcePolicy, type DecisionListener } from '../tools/index.js';
import type { Tool, ToolContext } from '../types/index.js';

/** What an `ai` task outputs (docs/formats/alt.md). */
export interface AiTaskOutput {
  text: string;
  json?: unknown;
  model: string;
  /** The provider that served the answer. */
  provider: string;
  usage: { input_tokens: number; output_tokens: number };
  cost: number;
  /** From sending the request to the last token, in milliseconds (the archive's `.atlas` reads it). */
  latency_ms: number;
  /** From sending the request to the first token, when the answer was streamed. */
  first_token_ms?: number;
  /** For race and ensemble: every member's model, status, cost and latency. */
  members?: { model: string; status: string; cost_usd: number; latency_ms: number; error_code?: string }[];
  /** For `merge: all`: every answer, best first. */
  alternatives?: { model: string; text: string }[];
}

function output(result: CallResult, extra: Partial<AiTaskOutput> = {}): AiTaskOutput {
  return {
    text: result.text,
    ...(result.json !== undefined ? { json: result.json } : {}),
    model: result.model,
    provider: result.provider,
    usage: { input_tokens: result.usage.inputTokens, output_tokens: result.usage.outputTokens },
    cost: result.costUsd,
    latency_ms: Math.round(result.latencyMs),
    ...(result.firstTokenMs !== undefined ? { first_token_ms: Math.round(result.firstTokenMs) } : {}),
    ...extra,
  };
}

/**
 * The `ai` task kind: the task's model, candidates and strategy go to the orchestrator, which owns
 * retries, fail-over and budgets. The policy is asked first (`ai.generate` on the model or strategy).
 */
export function createAiTool(orchestrator: () => Promise<Orchestrator>, options: { onDecision?: DecisionListener } = {}): Tool<'ai'> {
  return {
    kind: 'ai',
    async run(task, ctx: ToolContext): Promise<AiTaskOutput> {
      const resource = task.model ?? (task.models ? task.models.join(',') : (task.strategy ?? 'auto'));
      await enforcePolicy(ctx, 'ai.generate', resource, {}, options.onDecision);

      const request: OrchestratedRequest = {
        prompt: task.prompt,
        signal: ctx.signal,
        taskKind: 'ai',
        runId: ctx.runId,
        ...(task.system ? { system: task.system } : {}),
        ...(task.schema ? { schema: task.schema } : {}),
        ...(task.temperature !== undefined ? { temperature: task.temperature } : {}),
        ...(task.max_tokens !== undefined ? { maxOutputTokens: task.max_tokens } : {}),
      };
      const models = task.models ?? (task.model ? [task.model] : undefined);
      const orch = await orchestrator();
      if (task.strategy === 'race' && models) {
        const raced = await orch.race(request, models);
        return output(raced.result, {
          members: raced.members.map((m) => ({ model: m.model, status: m.status, cost_usd: m.costUsd, latency_ms: Math.round(m.latencyMs), ...(m.errorCode ? { error_code: m.errorCode } : {}) })),
        });
      }
      if (task.strategy === 'ensemble' && models) {
        const merged = await orch.ensemble(request, models, { merge: task.merge ?? 'vote', ...(task.judge ? { judgeModel: task.judge } : {}) });
        return output(merged.result, {
          members: merged.members.map((m) => ({ model: m.model, status: m.status, cost_usd: m.costUsd, latency_ms: Math.round(m.latencyMs), ...(m.errorCode ? { error_code: m.errorCode } : {}) })),
          ...(merged.alternatives ? { alternatives: merged.alternatives.map((a) => ({ model: a.model, text: a.text })) } : {}),
        });
      }
      const strategy = task.strategy === 'race' || task.strategy === 'ensemble' ? undefined : (task.strategy as StrategyName | undefined);
      const answered = await orch.generate({
        ...request,
        ...(task.model ? { model: task.model } : {}),
        ...(task.models ? { models: task.models } : {}),
        ...(strategy ? { strategy } : {}),
      });
      return output(answered.result);
    },
  };
}
