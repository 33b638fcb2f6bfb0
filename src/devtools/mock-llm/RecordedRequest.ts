import type { ProtocolName } from './protocols/Protocol.js';

/** One request the mock received (control API calls are not recorded). */
export interface RecordedRequest {
  /** HTTP method, e.g. `POST`. */
  method: string;
  /** URL path without the query, e.g. `/v1/chat/completions`. */
  path: string;
  /** Query parameters (Gemini's `alt`, and its `key` when sent that way). */
  query: Record<string, string>;
  /** Which API the path belongs to; `models` for a model listing; undefined for unknown paths. */
  protocol: ProtocolName | 'models' | undefined;
  /** The model the request named, if any. */
  model: string | undefined;
  /** Whether the request asked for a stream. */
  stream: boolean;
  /**
   * Request headers, lower-cased, repeated ones joined with `, `. Keys (`authorization`,
   * `x-api-key`, `x-goog-api-key`) are kept on purpose so tests can check what a client sent.
   */
  headers: Record<string, string>;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
}
