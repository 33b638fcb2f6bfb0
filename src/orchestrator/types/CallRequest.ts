/** One message of a conversation. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** What to ask a model. Either `prompt` or `messages`. */
export interface CallRequest {
  /** A single user prompt. */
  prompt?: string;
  /** A whole conversation (used instead of `prompt`). */
  messages?: ChatMessage[];
  /** System instructions (persona, mode). */
  system?: string;
  /** Sampling temperature; the provider's default when absent. */
  temperature?: number;
  /** Cap on output tokens. */
  maxOutputTokens?: number;
  /**
   * A JSON Schema the answer must satisfy. The answer is parsed and validated; invalid output gets
   * one repair attempt, then fails with LA_MODEL_OUTPUT_INVALID.
   */
  schema?: Record<string, unknown>;
  /** Cancels the call at any step (queueing, retry waits, the request, the stream). */
  signal?: AbortSignal;
  /** The kind of task this call serves (`ai`, `plan`, `summarize`…), for statistics and selection. */
  taskKind?: string;
  /** Refuse the call if its worst-case cost would exceed this, in US dollars. */
  maxCostUsd?: number;
  /** The run this call belongs to, for the per-run budget. */
  runId?: string;
}
