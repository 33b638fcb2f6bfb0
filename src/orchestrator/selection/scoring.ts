import type { ModelPrice, ModelSpec, StatsSnapshot } from '../types/index.js';

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

/**
 * The speed and price terms of `auto` (and `learn`) per candidate, both in 0..1, higher = better:
 * `latency` = 1 − p50 / (largest measured p50), or the mean of the measured candidates' terms for
 * one not measured yet (neither rewarded nor punished; 0 when none is measured); `cost` = 1 −
 * blended price / (largest blended price), 1 for everyone when all are free. Dividing by the
 * largest value rather than min–max scaling keeps two models 5 % apart 5 % apart.
 */
export function speedAndPriceTerms(candidates: readonly ModelSpec[], snapshots: readonly StatsSnapshot[]): { latency: number; cost: number }[] {
  const p50s = snapshots.map((s) => s.latencyP50Ms);
  const prices = candidates.map((spec) => blendedPrice(spec.price));
  const measured = p50s.flatMap((p50) => (p50 === undefined ? [] : [p50]));
  const maxP50 = Math.max(0, ...measured);
  const maxPrice = Math.max(0, ...prices);
  const latencyOf = (p50: number): number => (maxP50 > 0 ? 1 - p50 / maxP50 : 1);
  const neutralLatency = measured.length > 0 ? measured.reduce((sum, p50) => sum + latencyOf(p50), 0) / measured.length : 0;
  return candidates.map((_, i) => {
    const p50 = p50s[i];
    return { latency: p50 === undefined ? neutralLatency : latencyOf(p50), cost: maxPrice > 0 ? 1 - (prices[i] as number) / maxPrice : 1 };
  });
}
