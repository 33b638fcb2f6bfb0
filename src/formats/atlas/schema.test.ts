import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { LocalAgentError } from '../../core/errors/index.js';
import { ATLAS_JSON_SCHEMA_PATH, atlasJsonSchema, atlasJsonSchemaText, checkAtlas, parseAtlas, type AtlasRecord } from '../index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const committedPath = `${root}${ATLAS_JSON_SCHEMA_PATH}`;

function example(): AtlasRecord {
  return JSON.parse(readFileSync(`${root}examples/hello.atlas.json`, 'utf8')) as AtlasRecord;
}

function bundle(): unknown[] {
  return readFileSync(`${root}examples/runs.atlas.jsonl`, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

function problems(value: unknown): string[] {
  const checked = checkAtlas(value);
  return checked.ok ? [] : checked.problems.map((p) => `${p.path}: ${p.message}`);
}

describe('the .atlas schema', () => {
  it('accepts the examples', () => {
    expect(parseAtlas(example())).toEqual(example());
    for (const record of bundle()) expect(problems(record)).toEqual([]);
    const { feedback: _feedback, ...withoutFeedback } = example();
    expect(parseAtlas(withoutFeedback).feedback).toEqual([]);
  });

  it('checks the rules between fields', () => {
    const record = example();
    expect(problems({ ...record, success_rate: 0.5 })).toEqual(['success_rate: must be succeeded ÷ total = 3/3']);
    expect(problems({ ...record, totals: { ...record.totals, tasks: 4, succeeded: 2, failed: 1 } })).toEqual([
      'totals.tasks: must be 3, the number of tasks',
      'totals.succeeded: must be 3, the number of succeeded tasks',
      'totals.failed: must be 0, the number of failed tasks',
    ]);
    const [first, ...rest] = record.tasks;
    expect(problems({ ...record, tasks: [{ ...first, success: false }, ...rest] })).toEqual(['tasks.0.success: must be true for a succeeded task']);
    expect(problems({ ...record, tasks: [first, first, rest[1]] })).toEqual(['tasks.1.id: duplicate task id "greet"']);
    expect(problems({ ...record, feedback: [{ rating: 3, task: 'ghost', at: record.started_at }] })).toEqual(['feedback.0.task: names no task of this run ("ghost")']);
    expect(problems({ ...record, finished_at: '2020-01-01T00:00:00.000Z' })).toEqual(['finished_at: must not be before started_at']);
    expect(problems({ ...record, status: 'waiting_approval' })).toHaveLength(1);
    expect(problems({ ...record, feedback: [{ rating: 6, at: record.started_at }] })).toHaveLength(1);
    expect(problems({ ...record, extra: 1 })).toHaveLength(1);
    expect(problems(null)).toHaveLength(1);
  });

  it('throws LA_ATLAS_INVALID naming the source and the problems', () => {
    try {
      parseAtlas({ ...example(), atlas: 2 }, 'x.atlas.json');
      throw new Error('parsed');
    } catch (error) {
      expect(error).toBeInstanceOf(LocalAgentError);
      expect(error).toMatchObject({ code: 'LA_ATLAS_INVALID', category: 'user', details: { source: 'x.atlas.json' } });
      expect((error as Error).message).toMatch(/^x\.atlas\.json is not a valid \.atlas record: atlas: /);
    }
  });
});

describe('docs/formats/atlas.schema.json', () => {
  it('is generated from the zod schema and committed up to date', () => {
    // Regenerate with: LOCALAGENT_UPDATE_SCHEMAS=1 npx vitest run src/formats/atlas/schema.test.ts
    if (process.env.LOCALAGENT_UPDATE_SCHEMAS === '1') writeFileSync(committedPath, atlasJsonSchemaText());
    expect(readFileSync(committedPath, 'utf8'), `${ATLAS_JSON_SCHEMA_PATH} is out of date: run LOCALAGENT_UPDATE_SCHEMAS=1 npx vitest run src/formats/atlas/schema.test.ts`).toBe(atlasJsonSchemaText());
  });

  it('accepts the examples and rejects a bad record, as an editor would', () => {
    const validate = new Ajv2020({ strict: false }).compile(atlasJsonSchema());
    for (const record of [example(), ...bundle()]) expect(validate(record), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...example(), status: 'running' })).toBe(false);
    expect(validate({ ...example(), tasks: [{ id: 'a', kind: 'ai' }] })).toBe(false);
  });
});
