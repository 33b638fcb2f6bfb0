/**
 * A pino `timestamp` function writing `"@timestamp":"<ISO-8601 UTC>"`, the field ELK and Datadog
 * read without mapping. `Date#toISOString` costs about as much as the rest of a log line, so the
 * text is rebuilt once per second and only the milliseconds are appended per line; lines within
 * the same millisecond reuse the whole fragment.
 */
export function createIsoTimestamp(now: () => number = Date.now): () => string {
  let second = Number.NaN;
  let prefix = '';
  let lastMs = Number.NaN;
  let last = '';
  return () => {
    const ms = now();
    if (ms === lastMs) return last;
    const millis = ((ms % 1000) + 1000) % 1000;
    const start = ms - millis;
    if (start !== second) {
      second = start;
      // "2025-01-31T12:34:56." — everything up to the milliseconds.
      prefix = `,"@timestamp":"${new Date(start).toISOString().slice(0, 20)}`;
    }
    lastMs = ms;
    last = `${prefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z"`;
    return last;
  };
}
