import { badTimeOption } from './errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const AGE = /^(\d{1,6})\s*([mhdw])$/i;
/** A date, or a date and a time (ISO-8601); `Date.parse` then decides whether it is a real one. */
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ][\d:.+Z-]+$/;

/**
 * The moment an age or a date names, as ISO-8601: `90d` (also `30m`, `12h`, `2w`) is that long
 * before `now`; `2026-01-31` or `2026-01-31T12:00:00Z` is that moment (a date alone is midnight UTC).
 * Throws a usage error naming `option` for anything else.
 */
export function cutoffOf(option: string, value: string, now: number): string {
  const text = value.trim();
  const age = AGE.exec(text);
  if (age) return new Date(now - Number(age[1]) * (UNIT_MS[(age[2] as string).toLowerCase()] as number)).toISOString();
  if (DATE.test(text) || DATE_TIME.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  throw badTimeOption(option, value);
}
