import type { CallRequest, CallResult } from '../types/index.js';
import type { StrategyName } from './SelectionStrategy.js';

/** A request plus how to choose its model. */
export interface OrchestratedRequest extends CallRequest {
  /** Exactly this model (strategy `explicit`). Not together with `models`. */
  model?: string;
  /** These candidates, ordered by `strategy` (default `fallback`: as listed). */
  models?: string[];
  /** How to order the candidates; see docs/model-selection.md. */
  strategy?: StrategyName;
}

/** One model tried for a request, in the order tried. */
export interface TriedModel {
  model: string;
  ok: boolean;
  /** The failure's code, when it failed. */
  errorCode?: string;
  /** From starting the call to its end or failure, milliseconds. */
  latencyMs: number;
}

/** The answer and how it was reached. */
export interface OrchestratedResult {
  result: CallResult;
  strategy: StrategyName;
  /** Every model called, in order; the last one answered. */
  tried: TriedModel[];
  /** Candidates left out because they lack a capability the request needs. */
  skipped: string[];
}

/** What `Orchestrator.select` decided, without calling anything. */
export interface Selection {
  strategy: StrategyName;
  /** Model ids in the order they would be tried. */
  order: string[];
  /** Candidates left out because they lack a capability the request needs. */
  skipped: string[];
  /** The task kind statistics were read for. */
  taskKind: string;
}

/** What `Orchestrator.stream` yields: text from the model that answers, then the outcome. */
export type OrchestratedStreamEvent =
  /** A piece of the answer; `model` is the one producing it (fail-over happens before any text). */
  | { type: 'text'; text: string; model: string }
  /** The stream finished. */
  | ({ type: 'done' } & OrchestratedResult);

/** One member of a race. */
export interface RaceMember {
  model: string;
  /**
   * `won`: the first good answer. `lost`: also answered, after the winner but before its abort took
   * effect (it still cost money). `failed`: ended with an error of its own. `aborted`: stopped
   * because another model won or the caller aborted.
   */
  status: 'won' | 'lost' | 'failed' | 'aborted';
  latencyMs: number;
  /** What the answer cost; 0 when it failed or was aborted (a provider may still bill a partial answer). */
  costUsd: number;
  errorCode?: string;
}

export interface RaceResult {
  /** The winner's answer. */
  result: CallResult;
  /** Every member, in the order the models were given. */
  members: RaceMember[];
  /** Sum of the members' costs. */
  totalCostUsd: number;
  /** Models left out because they lack a capability the request needs. */
  skipped: string[];
}

/** How an ensemble picks its answer. */
export type MergeMode = 'vote' | 'judge' | 'all';

export interface EnsembleOptions {
  /**
   * `vote`: majority of normalised answers. `judge`: `judgeModel` picks (vote when it fails).
   * `all`: like judge when `judgeModel` is given, else vote, and keeps every answer in `alternatives`.
   */
  merge: MergeMode;
  /** The model that judges; required for `judge`. */
  judgeModel?: string;
}

/** One member of an ensemble. */
export interface EnsembleMember {
  model: string;
  status: 'ok' | 'failed';
  latencyMs: number;
  costUsd: number;
  errorCode?: string;
  /** The answer, when it succeeded. */
  result?: CallResult;
}

/** What the judge did. */
export interface JudgeReport {
  model: string;
  /** `picked`: a clear choice. `unclear`: answered, but named no answer. `failed`: the call failed. */
  status: 'picked' | 'unclear' | 'failed';
  latencyMs: number;
  costUsd: number;
  errorCode?: string;
  /** The judge's reply (for `unclear`, to see why). */
  reply?: string;
}

export interface EnsembleResult {
  /** The chosen answer. */
  result: CallResult;
  merge: MergeMode;
  /** What decided: the judge, a vote (also the judge's fallback), or the only successful answer. */
  decidedBy: 'judge' | 'vote' | 'only-answer';
  /** Every member, in the order the models were given; failures keep their code. */
  members: EnsembleMember[];
  /** Every successful answer in model order (merge `all` only), for explore mode. */
  alternatives?: CallResult[];
  /** Distinct normalised answers and their models, when a vote was taken. */
  votes?: { answer: string; models: string[] }[];
  /** Present when a judge was called. */
  judge?: JudgeReport;
  /** Members' and judge's costs together. */
  totalCostUsd: number;
  /** Models left out because they lack a capability the request needs. */
  skipped: string[];
}
