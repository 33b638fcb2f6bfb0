import { z } from 'zod';
import { lastResultSchema } from './schema.js';

/** Where the published schema lives in the repository, relative to its root. */
export const LAST_JSON_SCHEMA_PATH = 'docs/formats/last.schema.json';

/**
 * The JSON Schema of `.last` files, generated from the zod contract (a test compares it with the
 * committed file). Rules between fields (success_rate = succeeded ÷ total, totals matching the
 * tasks, final runs having no pending tasks) are beyond JSON Schema; `parseLast` checks them.
 */
export function lastJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(lastResultSchema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'LocalAgent run result (.last)',
    description: 'The result of one run of a LocalAgent plan. See docs/formats/last.md.',
    ...rest,
  };
}

/** The schema as committed: two-space JSON with a final newline. */
export function lastJsonSchemaText(): string {
  return `${JSON.stringify(lastJsonSchema(), null, 2)}\n`;
}
