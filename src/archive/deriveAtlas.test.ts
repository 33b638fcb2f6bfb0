import { describe, expect, it } from 'vitest';
import { parseAtlas, type AltPlan, type LastResult } from '../formats/index.js';
import { deriveAtlas, isFinishedLast } from './deriveAtlas.js';
import { searchDocument } from './searchDocument.js';
import { sampleLast, samplePlan } from './test-support/samples.js';

function finished(last: LastResult): LastResult & { status: 'success' | 'partial' | 'failure' | 'cancelled' } {
  if (!isFinishedLast(last)) throw new Error('not finished');
  return last;
}

describe('deriveAtlas', () => {
  it('keeps per task the kind, model, provider, success, latency, first token, tokens, cost, error code and attempts', () => {
    const record = deriveAtlas(finished(sampleLast('run-1')), samplePlan as AltPlan);
    expect(parseAtlas(record)).toEqual(record);
    expect(record).toMatchObject({ atlas: 1, run_id: 'run-1', command: samplePlan.command, status: 'partial', success_rate: 0.5, duration_ms: 2000 });
    expect(record.tasks.map((t) => [t.id, t.kind, t.status, t.success, t.model, t.provider, t.latency_ms, t.first_token_ms, t.error_code, t.attempts])).toEqual([
      ['draft', 'ai', 'succeeded', true, 'mock-fast', 'mock', 1500, 120, undefined, 1],
      ['log', 'shell', 'succeeded', true, undefined, undefined, 40, undefined, undefined, 1],
      ['post', 'http', 'failed', false, undefined, undefined, 300, undefined, 'LA_NETWORK', 2],
      ['announce', 'shell', 'skipped', false, undefined, undefined, undefined, undefined, undefined, 0],
    ]);
    expect(record.totals).toEqual({ tasks: 4, succeeded: 2, failed: 1, tokens_in: 40, tokens_out: 10, cost_usd: 0.002 });
    // Outputs and messages stay in the .last.
    expect(JSON.stringify(record)).not.toContain('quieter');
    expect(JSON.stringify(record)).not.toContain('did not answer');
  });

  it('names the model a failed AI task was asked to use, when the plan named exactly one', () => {
    const last = sampleLast('run-2');
    const failedAi = { ...last, tasks: last.tasks.map((t) => (t.id === 'draft' ? { id: t.id, kind: t.kind, status: 'failed' as const, on_failure: t.on_failure, attempts: 3, error: { code: 'LA_TIMEOUT', message: 'slow' } } : t)) };
    const success = failedAi.tasks.filter((t) => t.status === 'succeeded').length / failedAi.tasks.length;
    const fixed = finished({ ...failedAi, success_rate: success, totals: { ...failedAi.totals, succeeded: 1, failed: 2 } });
    expect(deriveAtlas(fixed, samplePlan as AltPlan).tasks[0]).toMatchObject({ model: 'mock-fast', success: false, error_code: 'LA_TIMEOUT', attempts: 3 });
    const templated = { ...samplePlan, tasks: samplePlan.tasks.map((t) => (t.id === 'draft' ? { ...t, model: '{{ inputs.model }}' } : t)) };
    expect(deriveAtlas(fixed, templated as AltPlan).tasks[0]?.model).toBeUndefined();
    const several = { ...samplePlan, tasks: samplePlan.tasks.map((t) => (t.id === 'draft' ? { id: 'draft', kind: 'ai', prompt: 'x', models: ['a', 'b'] } : t)) };
    expect(deriveAtlas(fixed, several as AltPlan).tasks[0]?.model).toBeUndefined();
    const one = { ...samplePlan, tasks: samplePlan.tasks.map((t) => (t.id === 'draft' ? { id: 'draft', kind: 'ai', prompt: 'x', models: ['only'] } : t)) };
    expect(deriveAtlas(fixed, one as AltPlan).tasks[0]?.model).toBe('only');
    expect(deriveAtlas(fixed).tasks[0]?.model).toBeUndefined();
  });

  it('knows which results are final, and keeps a chaos run marked', () => {
    expect(isFinishedLast(sampleLast('w', { status: 'waiting_approval' }))).toBe(false);
    expect(isFinishedLast(sampleLast('c', { status: 'cancelled' }))).toBe(true);
    const chaos = deriveAtlas(finished({ ...sampleLast('x'), mode: 'chaos', chaos_level: 4 }));
    expect(chaos).toMatchObject({ mode: 'chaos', chaos_level: 4 });
    expect(chaos.command).toBeUndefined();
  });
});

describe('searchDocument', () => {
  it('indexes the command, titles and ids, outputs (capped) and errors; sealed leaves out outputs and messages', () => {
    const last = sampleLast('run-1');
    const record = deriveAtlas(finished(last), samplePlan as AltPlan);
    const doc = searchDocument(record, last, { sealed: false });
    expect(doc.command).toBe('draft the release notes and post them to the team hook');
    expect(doc.titles).toBe('release notes draft the notes draft log post announce');
    expect(doc.outputs).toContain('faster start up and a quieter log');
    expect(doc.outputs).toContain('a1b2c3 quieter logging');
    expect(doc.errors).toBe('la network la network hooks example com did not answer hooks example com did not answer');
    const sealed = searchDocument(record, last, { sealed: true });
    expect(sealed).toEqual({ command: doc.command, titles: doc.titles, outputs: '', errors: 'la network la network' });
    const huge = { ...last, tasks: last.tasks.map((t) => (t.id === 'log' ? { ...t, output: { stdout: 'word '.repeat(100_000), nested: [{ deep: true, n: 4 }] } } : t)) };
    expect(searchDocument(record, huge, { sealed: false }).outputs.length).toBeLessThanOrEqual(60_000);
    expect(searchDocument(record, undefined, { sealed: false }).outputs).toBe('');
  });
});
