import type { AtlasRecord, LastResult } from '../formats/index.js';
import { indexText } from './searchText.js';

/** The text of one run in the full-text index, by field. */
export interface SearchDocument {
  command: string;
  titles: string;
  outputs: string;
  errors: string;
}

/**
 * Most characters of task outputs indexed per run. Outputs can be megabytes (a shell task keeps up
 * to 1 MiB of stdout); the start of each is what people search for, and PostgreSQL refuses a
 * `tsvector` over 1 MB.
 */
export const MAX_OUTPUT_INDEX_CHARS = 200_000;
/** Most characters indexed from one task's output, so one long output does not crowd out the rest. */
const MAX_CHARS_PER_OUTPUT = 50_000;

/** The strings inside an output (text, stdout, JSON leaves), depth-first, until `budget` runs out. */
function collectStrings(value: unknown, into: string[], budget: { left: number }, depth = 0): void {
  if (budget.left <= 0 || depth > 20) return;
  if (typeof value === 'string') {
    const piece = value.slice(0, budget.left);
    into.push(piece);
    budget.left -= piece.length;
  } else if (typeof value === 'number' || typeof value === 'boolean') {
    into.push(String(value));
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, into, budget, depth + 1);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) collectStrings(item, into, budget, depth + 1);
  }
}

/**
 * What the index holds for a run: the command; the plan's and every task's title and id; the
 * tasks' outputs (when the `.last` is at hand, capped); error codes, and error messages.
 * `sealed` (results encrypted at rest) leaves out outputs and error messages, since the index
 * would otherwise keep in plain text what the encryption hides; codes, titles and the command stay.
 */
export function searchDocument(record: AtlasRecord, last: LastResult | undefined, options: { sealed: boolean }): SearchDocument {
  const titles = [record.title, ...record.tasks.flatMap((t) => (t.title !== undefined ? [t.title, t.id] : [t.id]))];
  const errors = record.tasks.flatMap((t) => (t.error_code ? [t.error_code] : []));
  const outputs: string[] = [];
  if (last) {
    if (last.error) errors.push(last.error.code);
    if (!options.sealed) {
      if (last.error) errors.push(last.error.message);
      for (const task of last.tasks) if (task.error) errors.push(task.error.message);
      const total = { left: MAX_OUTPUT_INDEX_CHARS };
      for (const task of last.tasks) {
        if (task.output === undefined || total.left <= 0) continue;
        const budget = { left: Math.min(MAX_CHARS_PER_OUTPUT, total.left) };
        const before = budget.left;
        collectStrings(task.output, outputs, budget);
        total.left -= before - budget.left;
      }
    }
  }
  return {
    command: indexText(record.command ?? ''),
    titles: indexText(titles.join(' ')),
    outputs: indexText(outputs.join(' ')),
    errors: indexText(errors.join(' ')),
  };
}
