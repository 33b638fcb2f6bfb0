import type { ModelPrice, StatsSnapshot } from '../types/index.js';

/**
 * Input tokens assumed per output token when one price has to stand for a model. Prompts with
 * context usually outweigh answers; 3:1 is a middle-of-the-road chat/agent ratio.
 */
export const INPUT_TOKENS_PER_OUTPUT_TOKEN = 3;

/** US dollars per million tokens of a 3:1 input:output mix. 0 for models without prices. */
export function blendedPrice(price: ModelPrice): number {
  return (INPUT_TOKENS_PER_OUTPUT_TOKEN * price.input + price.output) / (INPUT_TOKENS_PER_OUTPUT_TOKEN + 1);
}

/**
 * The expected success rate: the mean of a Beta(1, 1) prior updated with the window's outcomes,
 * (successes + 1) / (count + 2) (Laplace's rule of succession). An unobserved model scores 0.5,
 * one lucky call 0.67, and 19 of 20 scores 0.91, so a single success never outranks a track record.
 */
export function expectedSuccess(snapshot: StatsSnapshot): number {
  const successes = Math.round((snapshot.successRate ?? 0) * snapshot.count);
  return (successes + 1) / (snapshot.count + 2);
}
