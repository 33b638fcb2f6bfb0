import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { InternalError, LocalAgentError } from '../../core/errors/index.js';
import { LAST_JSON_SCHEMA_PATH, checkBuiltLast, lastJsonSchema, lastJsonSchemaText, lastResultSchema, parseLast, type LastResult } from '../index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const committedPath = `${root}${LAST_JSON_SCHEMA_PATH}`;
const at = '2025-01-01T00:00:00.000Z';
const later = '2025-01-01T00:00:02.500Z';

/** A small but complete result: one ai task that succeeded, one fs task that failed, one skipped. */
function sample(): LastResult {
  return {
    last: 1,
    run_id: 'run-20250101-000000-abcdef',
    plan_id: 'alt-0123456789abcdef',
    plan_hash: 'a'.repeat(64),
    title: 'Sample',
    status: 'partial',
    success_rate: 1 / 3,
    mode: 'normal',
    seed: 42,
    workspace: '/home/me/work',
    error: { code: 'LA_POLICY_DENIED', message: 'no' },
    timings: { started_at: at, finished_at: later, duration_ms: 2500 },
    tasks: [
      { id: 'draft', kind: 'ai', status: 'succeeded', on_failure: 'fail', attempts: 1, started_at: at, finished_at: later, duration_ms: 2500, output: { text: 'hi' }, model: 'm', tokens: { input: 10, output: 5 }, cost_usd: 0.01 },
      { id: 'save', kind: 'fs', status: 'failed', on_failure: 'continue', attempts: 1, error: { code: 'LA_POLICY_DENIED', message: 'no', category: 'permanent' } },
      { id: 'post', kind: 'http', status: 'skipped', on_failure: 'fail', attempts: 0, skip_reason: 'dependency', skipped_because: 'save' },
    ],
    artifacts: [],
    graph: {
      nodes: [
        { id: 'draft', kind: 'ai', status: 'succeeded' },
        { id: 'save', kind: 'fs', status: 'failed' },
        { id: 'post', kind: 'http', status: 'skipped' },
      ],
      edges: [
        { from: 'draft', to: 'save', state: 'satisfied' },
        { from: 'save', to: 'post', state: 'blocked' },
      ],
    },
    totals: { tasks: 3, succeeded: 1, failed: 1, skipped: 1, cancelled: 0, waiting_approval: 0, pending: 0, attempts: 2, tokens_in: 10, tokens_out: 5, cost_usd: 0.01 },
  };
}

describe('the .last schema', () => {
  it('accepts a complete result', () => {
    expect(parseLast(sample())).toEqual(sample());
    expect(checkBuiltLast(sample())).toEqual(sample());
  });

  it('checks the rules between fields', () => {
    const issues = (value: LastResult): string[] => {
      const parsed = lastResultSchema.safeParse(value);
      return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues({ ...sample(), success_rate: 0.5 })).toEqual(['success_rate: must be succeeded ÷ total = 1/3']);
    expect(issues({ ...sample(), totals: { ...sample().totals, failed: 0 } })).toEqual(['totals.failed: must be 1, the number of such tasks']);
    const pending = sample();
    pending.tasks[2] = { id: 'post', kind: 'http', status: 'pending', on_failure: 'fail', attempts: 0 };
    pending.totals = { ...pending.totals, skipped: 0, pending: 1 };
    expect(issues(pending)).toEqual(['status: a partial run has no pending or waiting tasks']);
    expect(issues({ ...pending, status: 'waiting_approval' })).toEqual(['status: a run waiting for approval has a task waiting for approval']);
    expect(issues({ ...sample(), status: 'success' })).toEqual(['status: a successful run has no failed or cancelled tasks']);
    expect(issues({ ...sample(), tasks: [], graph: { nodes: [], edges: [] }, success_rate: 0, totals: { ...sample().totals, tasks: 0, succeeded: 0, failed: 0, skipped: 0 } })).toEqual([]);
  });

  it('reports a bad file as LA_LAST_INVALID and a bad built result as a bug', () => {
    let error: unknown;
    try {
      parseLast({ ...sample(), last: 2 }, 'runs/x.last.json');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(LocalAgentError);
    expect((error as LocalAgentError).code).toBe('LA_LAST_INVALID');
    expect((error as LocalAgentError).message).toMatch(/^runs\/x\.last\.json is not a valid \.last result: last:/);
    expect(() => checkBuiltLast({ ...sample(), plan_hash: 'nope' })).toThrow(InternalError);
  });
});

describe('docs/formats/last.schema.json', () => {
  it('is generated from the zod schema and committed up to date', () => {
    // Regenerate with: LOCALAGENT_UPDATE_SCHEMAS=1 npx vitest run src/formats/last/schema.test.ts
    if (process.env.LOCALAGENT_UPDATE_SCHEMAS === '1') writeFileSync(committedPath, lastJsonSchemaText());
    const committed = readFileSync(committedPath, 'utf8');
    expect(committed, `${LAST_JSON_SCHEMA_PATH} is out of date: run LOCALAGENT_UPDATE_SCHEMAS=1 npx vitest run src/formats/last/schema.test.ts`).toBe(lastJsonSchemaText());
  });

  it('accepts the sample and rejects a wrong status, as another program would', () => {
    const validate = new Ajv2020({ strict: false }).compile(lastJsonSchema());
    expect(validate(sample()), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...sample(), status: 'done' })).toBe(false);
    expect(validate({ ...sample(), extra: 1 })).toBe(false);
  });
});
