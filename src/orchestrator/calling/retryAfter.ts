/**
 * How long a provider asked us to wait, in milliseconds, from its response headers (names in lower
 * case, as the AI SDK reports them): `retry-after-ms` (OpenAI, Azure) first, being the more precise,
 * then `retry-after` as seconds or an HTTP date. `undefined` when absent or unreadable; a date in the
 * past means "now" (0).
 */
export function parseRetryAfterMs(headers: Record<string, string | undefined> | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers['retry-after-ms']?.trim();
  if (ms && isPlainNumber(ms)) return Math.ceil(Number(ms));
  const value = headers['retry-after']?.trim();
  if (!value) return undefined;
  if (isPlainNumber(value)) return Math.ceil(Number(value) * 1000);
  // An HTTP date names its weekday and month; without letters, Date.parse would take "-1" as a year.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Digits with at most one decimal point ("2", "0.5"); not "1e3", "-1" or "0x10". */
function isPlainNumber(text: string): boolean {
  return /^[0-9.]+$/.test(text) && text.split('.').length <= 2 && Number.isFinite(Number(text));
}
