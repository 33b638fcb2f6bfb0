import type { MockScript } from './MockScript.js';

/**
 * The script `npm run mock-llm` uses without `--script`: a fast echo model, a slow streaming one,
 * and a flaky one that fails its first two calls with 500 (to watch retries and fallbacks work).
 * A function, so every caller gets its own copy.
 */
export function demoScript(): MockScript {
  return {
    models: {
      'mock-fast': { reply: 'echo' },
      'mock-slow': { reply: 'echo', latency_ms: 800, ttft_ms: 400, chunk_size: 4, chunk_delay_ms: 60 },
      'mock-flaky': { reply: 'echo', fault: { kind: 'server_error', times: 2 } },
    },
    default: { reply: 'echo' },
  };
}
