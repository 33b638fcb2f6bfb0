import { z } from 'zod';
import { atlasRecordSchema } from './schema.js';

/** Where the published schema lives in the repository, relative to its root. */
export const ATLAS_JSON_SCHEMA_PATH = 'docs/formats/atlas.schema.json';

/**
 * The JSON Schema of one `.atlas` record (a `.atlas.json` file, or one line of a `.atlas.jsonl`
 * bundle), generated from the zod contract (a test compares it with the committed file). Rules
 * between fields (success_rate and totals matching the tasks, unique task ids, feedback naming a
 * task of the run) are beyond JSON Schema; `parseAtlas` and `archive import` check them.
 */
export function atlasJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(atlasRecordSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'LocalAgent learning record (.atlas)',
    description: 'What the archive derives from one finished run (.last) plus people\'s feedback. See docs/formats/atlas.md.',
    ...rest,
  };
}

/** The schema as committed: two-space JSON with a final newline. */
export function atlasJsonSchemaText(): string {
  return `${JSON.stringify(atlasJsonSchema(), null, 2)}\n`;
}
