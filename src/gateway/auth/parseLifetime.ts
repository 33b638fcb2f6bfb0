import { UserInputError } from '../../core/errors/index.js';

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
/** Ten years: a token meant to last longer should be created without --expires. */
const MAX_MS = 10 * UNIT_MS.y!;

/** `90m`, `12h`, `30d`, `8w`, `1y` → milliseconds. Throws `LA_INPUT_INVALID` for anything else. */
export function parseLifetime(text: string): number {
  const match = /^(\d{1,6})\s*([mhdwy])$/.exec(text.trim().toLowerCase());
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2]!] ?? 0) : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_MS) {
    throw new UserInputError({
      message: `"${text.slice(0, 40)}" is not a token lifetime.`,
      suggestion: 'Write a whole number and a unit: 90m, 12h, 30d, 8w or 1y (at most 10y); leave --expires out for a token that does not expire.',
      details: { value: text.slice(0, 40) },
    });
  }
  return ms;
}
