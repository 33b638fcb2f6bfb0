import { vi } from 'vitest';
import type { ModelSpec } from '../../types/index.js';
import { InMemoryModelStats } from '../InMemoryModelStats.js';
import { Orchestrator, type OrchestratorOptions } from '../Orchestrator.js';
import { catalogOf, FakeModelCaller, spec } from './FakeModelCaller.js';

/** An Orchestrator over a FakeModelCaller, with fake-timer time as its clock. */
export function setup(options: { specs?: ModelSpec[]; config?: Partial<OrchestratorOptions['config']>; extra?: Partial<OrchestratorOptions> } = {}) {
  const caller = new FakeModelCaller();
  const stats = new InMemoryModelStats({ window: 50 });
  const specs = options.specs ?? [spec('a'), spec('b'), spec('c')];
  const orchestrator = new Orchestrator({
    caller,
    catalog: catalogOf(specs),
    stats,
    config: { default_strategy: 'fallback', auto_weights: { success: 0.6, latency: 0.2, cost: 0.2 }, ...options.config },
    now: () => Date.now(),
    ...options.extra,
  });
  return { caller, stats, orchestrator };
}

/** Awaits `promise` while running every fake timer; rethrows its rejection. */
export async function run<T>(promise: Promise<T>): Promise<T> {
  const settled = promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  await vi.runAllTimersAsync();
  const outcome = await settled;
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** Collects a stream while running fake timers. */
export function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  return run(
    (async () => {
      const events: T[] = [];
      for await (const event of stream) events.push(event);
      return events;
    })(),
  );
}
