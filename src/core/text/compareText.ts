/**
 * Orders strings by UTF-16 code units, as `sort()` without a comparator does: the same order on
 * every machine and locale (unlike `localeCompare`), which is what lock orders and stable output need.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
