import { UserInputError } from '../core/errors/index.js';
import { didYouMean } from '../core/text/index.js';
import { MODES, type AltPlan, type AltTask } from '../formats/alt/index.js';
import { addSystemBlock, orderPlan } from './planShape.js';
import { deriveSeed } from './seed.js';

export type Mode = (typeof MODES)[number];

/** Temperature dream mode gives AI tasks (a task that already asks for more keeps its own). */
export const DREAM_TEMPERATURE = 1.1;

/** The system-prompt block dream mode adds to AI tasks. */
export const DREAM_SYSTEM =
  'Dream mode: be imaginative and exploratory. Offer unexpected angles, vivid ideas and bold alternatives, and prefer the original answer to the obvious one, while staying on the task.';

/** Chaos level when chaos mode is asked for without one. */
export const DEFAULT_CHAOS_LEVEL = 3;

/** How explore mode merges an ensemble's answers: keep every alternative. */
export const EXPLORE_MERGE = 'all' as const;

export interface ApplyModeOptions {
  /** Chaos mode only: fault-injection intensity, 1–10 (default 3). */
  chaosLevel?: number;
  /** The seed to record; default: the plan's own, else one derived from its command. */
  seed?: number;
}

/** `mode` is one of MODES, or `LA_INPUT_INVALID` naming the closest one. */
export function checkMode(mode: string): Mode {
  if ((MODES as readonly string[]).includes(mode)) return mode as Mode;
  throw new UserInputError({ message: `There is no mode "${mode}".${didYouMean(mode, MODES)}`, suggestion: `Use one of ${MODES.join(', ')}.`, details: { mode } });
}

/** Checks a chaos level (an integer 1–10). */
export function checkChaosLevel(level: number): number {
  if (Number.isInteger(level) && level >= 1 && level <= 10) return level;
  throw new UserInputError({ message: `The chaos level must be a whole number from 1 to 10, not ${String(level)}.`, suggestion: 'Use a chaos level such as 3 (mild) or 8 (harsh).', details: { chaos_level: level } });
}

/** Checks a seed (a whole number ≥ 0, exact as a JavaScript number). */
export function checkSeed(seed: number): number {
  if (Number.isSafeInteger(seed) && seed >= 0) return seed;
  throw new UserInputError({ message: `The seed must be a whole number of at least 0, not ${String(seed)}.`, suggestion: 'Use a seed such as 42, or leave it out to derive one from the command.', details: { seed } });
}

/**
 * Puts a plan in a mode. Pure and deterministic: returns a new plan; the same input always gives
 * the same output. Every mode records the seed.
 * - `normal`: as planned; no `chaos_level`.
 * - `dream`: AI tasks get `DREAM_SYSTEM` appended to their system prompt and temperature
 *   `DREAM_TEMPERATURE` (at least); recorded in `metadata.dream`.
 * - `explore`: AI tasks get `strategy: ensemble` with `merge: all` (a fixed `model` becomes the
 *   first of `models`); `metadata.explore` records the same.
 * - `chaos`: tasks unchanged; `chaos_level` (default 3) and `metadata.chaos: { level, seed }` are
 *   recorded for the runner, which injects the faults.
 * A plan already in another mode is refused (`LA_INPUT_INVALID`): what that mode changed cannot
 * be told apart from what the plan's author wrote.
 */
export function applyMode(plan: AltPlan, mode: Mode, options: ApplyModeOptions = {}): AltPlan {
  checkMode(mode);
  if (options.chaosLevel !== undefined && mode !== 'chaos') {
    throw new UserInputError({ message: `A chaos level applies to chaos mode only, not to ${mode} mode.`, suggestion: 'Use mode chaos with a chaos level, or leave the chaos level out.', details: { mode, chaos_level: options.chaosLevel } });
  }
  const current = plan.mode ?? 'normal';
  if (current !== 'normal' && current !== mode) {
    throw new UserInputError({ message: `The plan is already in ${current} mode; modes apply to a plan in normal mode.`, suggestion: 'Make the plan again with the mode you want.', details: { mode, plan_mode: current } });
  }
  const seed = checkSeed(options.seed ?? plan.seed ?? deriveSeed(plan.command ?? plan.title));
  const next: AltPlan = { ...structuredClone(plan), mode, seed };
  const metadata: Record<string, unknown> = { ...(next.metadata ?? {}) };
  switch (mode) {
    case 'normal':
      delete next.chaos_level;
      break;
    case 'dream':
      next.tasks = next.tasks.map((task) => (task.kind === 'ai' ? { ...task, system: addSystemBlock(task.system, DREAM_SYSTEM), temperature: Math.max(task.temperature ?? 0, DREAM_TEMPERATURE) } : task));
      metadata['dream'] = { temperature: DREAM_TEMPERATURE };
      break;
    case 'explore':
      next.tasks = next.tasks.map(explore);
      metadata['explore'] = { strategy: 'ensemble', merge: EXPLORE_MERGE };
      break;
    case 'chaos': {
      const level = checkChaosLevel(options.chaosLevel ?? plan.chaos_level ?? DEFAULT_CHAOS_LEVEL);
      next.chaos_level = level;
      metadata['chaos'] = { level, seed };
      break;
    }
  }
  if (Object.keys(metadata).length > 0) next.metadata = metadata;
  return orderPlan(next);
}

function explore(task: AltTask): AltTask {
  if (task.kind !== 'ai') return task;
  const { model, ...rest } = task;
  return { ...rest, strategy: 'ensemble', merge: EXPLORE_MERGE, ...(model !== undefined && rest.models === undefined ? { models: [model] } : {}) };
}
