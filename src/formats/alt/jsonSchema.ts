import { z } from 'zod';
import { altPlanSchema } from './schema.js';

/** Where the published schema lives in the repository, relative to its root. */
export const ALT_JSON_SCHEMA_PATH = 'docs/formats/alt.schema.json';

/**
 * The JSON Schema of `.alt` files, generated from the zod contract so the two cannot drift (a test
 * compares it with the committed file). It describes what may be written (defaults optional), which
 * is what editors need for completion; cross-task rules (unique ids, known needs, no cycles,
 * templates) are beyond JSON Schema and checked by `localagent validate`.
 */
export function altJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(altPlanSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'LocalAgent plan (.alt)',
    description: 'A LocalAgent plan: a DAG of tasks. See docs/formats/alt.md; `localagent validate <file>` checks what this schema cannot.',
    ...rest,
  };
}

/** The schema as committed: two-space JSON with a final newline. */
export function altJsonSchemaText(): string {
  return `${JSON.stringify(altJsonSchema(), null, 2)}\n`;
}
