const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A plan duration (`1500`, `250ms`, `30s`, `5m`, `1h`) in milliseconds; undefined stays undefined. */
export function durationMs(duration: number | string | undefined): number | undefined {
  if (duration === undefined || typeof duration === 'number') return duration;
  const match = /^([0-9]+)(ms|s|m|h)$/.exec(duration);
  // The schema only lets the forms above through; anything else would be a plan built in code.
  if (!match) throw new RangeError(`Not a duration: ${duration}`);
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

/** `1.5 s`, `250 ms`, `2 min`: for messages. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} s`;
  return `${Number((ms / 60_000).toFixed(1))} min`;
}
