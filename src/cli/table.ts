// Escape sequences take no room on screen, so column widths ignore them.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** A plain-text table: a header row and left-aligned columns two spaces apart. */
export function renderTable(header: string[], rows: string[][]): string {
  const width = (cell: string): number => cell.replace(ANSI, '').length;
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  return [header, ...rows]
    .map((row) => row.map((cell, i) => cell + ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(cell)))).join('  ').trimEnd())
    .join('\n');
}
