import type { z } from 'zod';
import { UserInputError } from '../../core/errors/index.js';
import { atlasRecordSchema, type AtlasRecord } from './schema.js';

/** One problem of a record that does not fit the schema: where, and what is wrong. */
export interface AtlasProblem {
  path: string;
  message: string;
}

function problemsOf(error: z.ZodError, limit: number): AtlasProblem[] {
  return error.issues.slice(0, limit).map((i) => ({ path: i.path.map(String).join('.') || '(top)', message: i.message }));
}

/** `value` as a record (defaults filled in), or the schema's problems with it (at most 20). */
export function checkAtlas(value: unknown): { ok: true; record: AtlasRecord } | { ok: false; problems: AtlasProblem[] } {
  const parsed = atlasRecordSchema.safeParse(value);
  return parsed.success ? { ok: true, record: parsed.data } : { ok: false, problems: problemsOf(parsed.error, 20) };
}

/** Checks an `.atlas` record from a file, a bundle or the database; throws `LA_ATLAS_INVALID` (user) when it does not fit. */
export function parseAtlas(value: unknown, source = '<.atlas>'): AtlasRecord {
  const parsed = atlasRecordSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = problemsOf(parsed.error, 20);
  throw new UserInputError({
    code: 'LA_ATLAS_INVALID',
    message: `${source} is not a valid .atlas record: ${problems
      .slice(0, 5)
      .map((p) => `${p.path}: ${p.message}`)
      .join('; ')}.`,
    suggestion: 'The record was edited or written by another program; the format is described in docs/formats/atlas.md.',
    details: { source, problems },
  });
}
