import type { CallResult } from './CallResult.js';

/** What a streaming call yields: text as it arrives, then the final result. */
export type StreamEvent =
  /** A piece of the answer's text. */
  | { type: 'text'; text: string }
  /** The call finished; `result` has the whole text, usage and cost. */
  | { type: 'done'; result: CallResult };
