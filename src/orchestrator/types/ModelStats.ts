/** One finished call, as statistics see it. */
export interface CallObservation {
  /** The model id. */
  model: string;
  /** The task kind of the request (`ai` when none was given). */
  taskKind: string;
  success: boolean;
  /** Latency of the call in milliseconds (also for failures: time until it failed). */
  latencyMs: number;
  /** Time to first token, when streamed. */
  firstTokenMs?: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** The error code when it failed. */
  errorCode?: string;
  /** When it happened. */
  at: Date;
}

/** Aggregates for one (task kind, model) over the statistics window. */
export interface StatsSnapshot {
  model: string;
  taskKind: string;
  /** Calls observed in the window. */
  count: number;
  /** Successes ÷ count; undefined when count is 0. */
  successRate: number | undefined;
  latencyP50Ms: number | undefined;
  latencyP95Ms: number | undefined;
  /** Mean cost of a successful call, US dollars. */
  meanCostUsd: number | undefined;
  /** Mean user rating 1–5, when the archive has feedback. */
  meanRating?: number;
}

/**
 * Observed statistics that selection reads. In-memory for now (this process's calls); the archive
 * implements it later over stored `.atlas` records. Keep it an interface.
 */
export interface ModelStats {
  record(observation: CallObservation): void;
  get(taskKind: string, model: string): StatsSnapshot;
}
