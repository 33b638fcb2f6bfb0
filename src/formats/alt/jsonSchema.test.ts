import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ALT_JSON_SCHEMA_PATH, altJsonSchema, altJsonSchemaText } from './jsonSchema.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const committedPath = `${root}${ALT_JSON_SCHEMA_PATH}`;

describe('docs/formats/alt.schema.json', () => {
  it('is generated from the zod schema and committed up to date', () => {
    // Regenerate with: LOCALAGENT_UPDATE_SCHEMAS=1 npx vitest run src/formats/alt/jsonSchema.test.ts
    if (process.env.LOCALAGENT_UPDATE_SCHEMAS === '1') writeFileSync(committedPath, altJsonSchemaText());
    const committed = readFileSync(committedPath, 'utf8');
    expect(committed, `${ALT_JSON_SCHEMA_PATH} is out of date: run LOCALAGENT_UPDATE_SCHEMAS=1 npx vitest run src/formats/alt/jsonSchema.test.ts`).toBe(
      altJsonSchemaText(),
    );
  });

  it('accepts the examples and rejects an unknown kind, as an editor would', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(altJsonSchema());
    const hello = parse(readFileSync(`${root}examples/hello.alt.yaml`, 'utf8')) as Record<string, unknown>;
    expect(validate(hello), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...hello, tasks: [{ id: 'a', kind: 'shel', argv: ['x'] }] })).toBe(false);
    expect(validate({ title: 'no version', tasks: [{ id: 'a', kind: 'shell', argv: ['x'] }] })).toBe(false);
  });
});
