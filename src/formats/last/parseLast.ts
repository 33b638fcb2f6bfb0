import { InternalError, UserInputError } from '../../core/errors/index.js';
import { lastResultSchema, type LastResult } from './schema.js';

function describe(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(top)'}: ${i.message}`)
    .join('; ');
}

/** Checks a `.last` read from a file or the database; throws `LA_LAST_INVALID` (user) when it does not fit. */
export function parseLast(value: unknown, source = '<.last>'): LastResult {
  const parsed = lastResultSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new UserInputError({
    code: 'LA_LAST_INVALID',
    message: `${source} is not a valid .last result: ${describe(parsed.error.issues)}.`,
    suggestion: 'The file was edited or written by another program; the format is described in docs/formats/last.md.',
    details: { source, issues: parsed.error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) },
  });
}

/** Checks a `.last` this code built before it is written: a mismatch is a bug (`LA_INTERNAL`), never the user's fault. */
export function checkBuiltLast(value: LastResult): LastResult {
  const parsed = lastResultSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InternalError({
    message: `The runner built a .last result that does not match its schema: ${describe(parsed.error.issues)}.`,
    details: { run_id: value.run_id },
  });
}
