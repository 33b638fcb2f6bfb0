import type { ModelStats } from '../../types/index.js';
import { InMemoryModelStats } from '../InMemoryModelStats.js';

/** One model's scripted history: latencies of successful calls and a number of failures. */
export interface History {
  ok?: number[];
  failures?: number;
  taskKind?: string;
}

/** Statistics holding the given histories (task kind `ai` unless given). */
export function statsWith(histories: Record<string, History>): ModelStats {
  const stats = new InMemoryModelStats({ window: 1_000 });
  for (const [model, history] of Object.entries(histories)) {
    const base = { model, taskKind: history.taskKind ?? 'ai', inputTokens: 0, outputTokens: 0, costUsd: 0, at: new Date(0) };
    for (const latencyMs of history.ok ?? []) stats.record({ ...base, success: true, latencyMs });
    for (let i = 0; i < (history.failures ?? 0); i += 1) stats.record({ ...base, success: false, latencyMs: 1, errorCode: 'LA_TIMEOUT' });
  }
  return stats;
}
