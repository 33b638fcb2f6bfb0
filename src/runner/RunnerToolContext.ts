import type { AltPlan } from '../formats/index.js';
import type { ToolContext } from './types/index.js';

/**
 * What the runner actually passes to a tool: the `ToolContext` contract plus facts about the run
 * that the ai tool needs (mode, persona and seed shape how models are called). A tool typed
 * against `ToolContext` ignores the extra fields; one that needs them reads `ctx` as this type.
 */
export interface RunnerToolContext extends ToolContext {
  /** 1 for the first try, 2 for the first retry, …; re-runs after a crash count too. */
  attempt: number;
  run: {
    planId: string;
    planHash: string;
    mode: AltPlan['mode'];
    /** The run's seed: the plan's, or one the runner picked and recorded. */
    seed: number;
    persona?: string | undefined;
    chaosLevel?: number | undefined;
    language?: string | undefined;
  };
}
