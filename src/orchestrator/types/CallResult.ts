/** Tokens used by one call. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** The outcome of one successful call to one model. */
export interface CallResult {
  /** The answer's text. */
  text: string;
  /** The parsed answer when a schema was given. */
  json?: unknown;
  /** The model id (`ModelSpec.id`) that answered. */
  model: string;
  /** The provider name that served it. */
  provider: string;
  usage: Usage;
  /** From the model's prices; 0 when it has none. */
  costUsd: number;
  /** From sending the request to the last token, in milliseconds. */
  latencyMs: number;
  /** From sending the request to the first token, when streamed. */
  firstTokenMs?: number;
  /** Tries it took, including the first (retries after transient errors). */
  attempts: number;
  /** Why the model stopped (`stop`, `length`, …) as the provider said. */
  finishReason?: string;
}
