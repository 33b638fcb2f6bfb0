import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../app.js';
import { LocalAgentError, OperationCancelledError, UserInputError } from '../core/errors/index.js';
import { startMockLlm, type MockLlmServer } from '../devtools/mock-llm/index.js';
import { altPlanSchema } from '../formats/alt/index.js';
import type { OrchestratedRequest, OrchestratedResult } from '../orchestrator/index.js';
import { DREAM_SYSTEM, PLANNER_EXAMPLE, planWithModel, planWithRules, plannerSchema, plannerSystemPrompt, type PlannerWarning } from './index.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A plan a model might answer: valid `.alt`, but the `needs` for its template left out. */
const MODEL_PLAN: { [key: string]: Json } = {
  alt: 1,
  title: 'Read the notes, then summarize them',
  language: 'en',
  mode: 'dream',
  seed: 99,
  tasks: [
    { id: 'read', kind: 'fs', op: 'read', path: 'notes.txt' },
    { id: 'sum', kind: 'ai', prompt: 'Summarize:\n{{ tasks.read.output.content }}', confidence: 0.8 },
  ],
};
const CYCLIC: Json = { alt: 1, title: 'x', tasks: [{ id: 'a', kind: 'ai', prompt: 'x', needs: ['b'] }, { id: 'b', kind: 'ai', prompt: 'y', needs: ['a'] }] };

let mock: MockLlmServer;
const homes: string[] = [];
const apps: App[] = [];

beforeAll(async () => {
  mock = await startMockLlm({
    script: {
      models: {
        planner: { reply: 'json', json: MODEL_PLAN },
        badjs: { fault: { kind: 'invalid_json_output' } },
        repaired: { reply: 'json', json: MODEL_PLAN, fault: { kind: 'invalid_json_output', times: 1 } },
        wrongshape: { reply: 'json', json: { alt: 1, title: 'no tasks' } },
        cyclic: { reply: 'json', json: CYCLIC },
        down: { fault: { kind: 'server_error' } },
      },
    },
  });
});
afterAll(async () => {
  await mock.close();
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await Promise.all(homes.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function orchestrator(models: readonly string[] = ['planner', 'badjs', 'repaired', 'wrongshape', 'cyclic', 'down']): Promise<App> {
  const home = await mkdtemp(join(tmpdir(), 'la-seg-'));
  homes.push(home);
  const listed = models.map((m) => `  - id: ${m}\n    provider: mock\n    model: ${m}\n    capabilities: [text, json]`).join('\n');
  await writeFile(
    join(home, 'config.yaml'),
    `resilience:\n  retry: { max_attempts: 1 }\nproviders:\n  mock:\n    type: openai-compatible\n    base_url: ${mock.openaiBaseUrl}\n    requires_key: false\n` +
      `orchestrator:\n  detect_ollama: false\nmodels:${models.length > 0 ? `\n${listed}` : ' []'}\n`,
  );
  const app = await createApp({ home, cwd: home, env: {}, logStream: false });
  apps.push(app);
  return app;
}

const plan = async (model: string | undefined, extra: Partial<Parameters<typeof planWithModel>[1]> = {}, models?: readonly string[]) => {
  const warnings: PlannerWarning[] = [];
  const { orchestrator: o } = await (await orchestrator(models)).models();
  const result = await planWithModel('read notes.txt and summarize it', { orchestrator: o, ...(model ? { model } : {}), onWarning: (w) => warnings.push(w), ...extra });
  return { result, warnings };
};

describe('planWithModel against the mock model server', () => {
  it('returns the model plan, checked, with the needs its templates imply, and our own mode, seed and metadata', async () => {
    const { result, warnings } = await plan('planner');
    expect(warnings).toEqual([]);
    expect(result).toMatchObject({ planner: 'llm', model: 'planner' });
    expect(altPlanSchema.parse(result.plan)).toBeTruthy();
    expect(result.plan).toMatchObject({
      alt: 1,
      title: 'Read the notes, then summarize them',
      command: 'read notes.txt and summarize it',
      language: 'en',
      mode: 'normal',
      metadata: { planner: 'llm', model: 'planner' },
    });
    expect(result.plan.seed).toBe(planWithRules('read notes.txt and summarize it').seed);
    expect(result.plan.tasks[1]).toMatchObject({ id: 'sum', needs: ['read'] });
    const request = mock.requests.at(-1)?.body as { messages: { role: string; content: string }[] };
    const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n');
    expect(system).toContain('.alt format');
    expect(system).toContain('"alt":1');
  });

  it('applies mode and persona to the model plan', async () => {
    const { result } = await plan('planner', { mode: 'dream', persona: 'researcher', seed: 3 });
    expect(result.plan).toMatchObject({ mode: 'dream', persona: 'researcher', seed: 3 });
    expect(result.plan.tasks[1]).toMatchObject({ temperature: 1.1, system: expect.stringContaining(DREAM_SYSTEM) as unknown });
  });

  it('uses an answer the orchestrator repaired', async () => {
    const before = mock.requests.length;
    const { result, warnings } = await plan('repaired');
    expect(warnings).toEqual([]);
    expect(result.planner).toBe('llm');
    expect(mock.requests.length - before).toBe(2);
  });

  it.each([
    ['badjs', 'LA_MODEL_OUTPUT_INVALID'],
    ['wrongshape', 'LA_MODEL_OUTPUT_INVALID'],
    ['cyclic', 'LA_PLAN_INVALID'],
    ['down', 'LA_PROVIDER_UNAVAILABLE'],
  ])('falls back to the rules planner when %s answers (%s), and says why', async (model, code) => {
    const { result, warnings } = await plan(model);
    expect(result.planner).toBe('rules');
    expect(result.plan.tasks.map((t) => t.id)).toEqual(['read_notes', 'summarize']);
    expect(result.plan.metadata).toMatchObject({ planner: 'rules', fallback_from: 'llm', fallback_code: code });
    expect(warnings).toEqual([{ code, message: expect.stringContaining('the rules planner made it instead') as unknown }]);
    expect(result.warning?.code).toBe(code);
  });

  it('falls back when no model is configured, or a model has no key', async () => {
    const none = await plan(undefined, {}, []);
    expect(none.warnings[0]?.code).toBe('LA_NO_CAPABLE_MODEL');
    expect(none.result.planner).toBe('rules');
    const keyless = await plan('openai/gpt-4o-mini');
    expect(keyless.warnings[0]?.code).toBe('LA_PROVIDER_NO_KEY');
  });

  it('does not fall back on a mistyped model id or a cancellation', async () => {
    await expect(plan('plannr')).rejects.toMatchObject({ code: 'LA_MODEL_UNKNOWN' });
    await expect(plan('planner', { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'LA_CANCELLED' });
  });
});

describe('planWithModel with a fake orchestrator', () => {
  const answering = (json: unknown): { generate(request: OrchestratedRequest): Promise<OrchestratedResult>; requests: OrchestratedRequest[] } => {
    const requests: OrchestratedRequest[] = [];
    return {
      requests,
      generate: (request) => {
        requests.push(request);
        return Promise.resolve({ result: { json, text: JSON.stringify(json), model: 'fake' }, strategy: 'explicit', tried: [], skipped: [] } as unknown as OrchestratedResult);
      },
    };
  };
  const failing = (error: unknown) => ({ generate: () => Promise.reject(error) });

  it('asks for a plan: taskKind plan, the .alt schema, the chosen model, strategy, cost cap and signal', async () => {
    const fake = answering(MODEL_PLAN);
    const signal = new AbortController().signal;
    await planWithModel('read notes.txt and summarize it', { orchestrator: fake, models: ['a', 'b'], strategy: 'cheapest', maxCostUsd: 0.01, signal });
    expect(fake.requests[0]).toMatchObject({ taskKind: 'plan', models: ['a', 'b'], strategy: 'cheapest', maxCostUsd: 0.01, signal, temperature: 0, prompt: 'Command: read notes.txt and summarize it' });
    expect(fake.requests[0]?.schema).toEqual(plannerSchema());
  });

  it('checks options before calling any model', async () => {
    const fake = answering(MODEL_PLAN);
    await expect(planWithModel('x', { orchestrator: fake, mode: 'normal', chaosLevel: 3 })).rejects.toBeInstanceOf(UserInputError);
    await expect(planWithModel('x', { orchestrator: fake, mode: 'chaos', chaosLevel: 30 })).rejects.toThrow(/1 to 10/);
    await expect(planWithModel('x', { orchestrator: fake, persona: 'nobody' })).rejects.toThrow(/no persona/);
    await expect(planWithModel('x', { orchestrator: fake, seed: -2 })).rejects.toThrow(/seed/);
    await expect(planWithModel('  ', { orchestrator: fake })).rejects.toThrow(/empty/);
    await expect(planWithModel('x'.repeat(100_001), { orchestrator: fake })).rejects.toThrow(/at most/);
    expect(fake.requests).toEqual([]);
  });

  it('keeps a language the model or the caller gives, detects one otherwise, and titles untitled plans', async () => {
    const de = await planWithModel('lies notes.txt', { orchestrator: answering({ ...MODEL_PLAN, language: 'de' }) });
    expect(de.plan.language).toBe('de');
    const given = await planWithModel('lies notes.txt', { orchestrator: answering(MODEL_PLAN), language: 'de-AT' });
    expect(given.plan.language).toBe('de-AT');
    const { title: _t, language: _l, ...bare } = MODEL_PLAN;
    const detected = await planWithModel("notes.txt'yi oku", { orchestrator: answering({ ...bare, metadata: { note: 'kept' } }), mode: 'chaos', chaosLevel: 4 });
    expect(detected.plan).toMatchObject({ language: 'tr', title: "Notes.txt'yi oku", chaos_level: 4, metadata: { note: 'kept', planner: 'llm' } });
  });

  it('falls back on answers that are not plan objects, and the rules plan honours the options', async () => {
    const warnings: PlannerWarning[] = [];
    const result = await planWithModel('read a.txt', { orchestrator: answering(['not', 'a', 'plan']), mode: 'chaos', chaosLevel: 5, seed: 1, language: 'en', onWarning: (w) => warnings.push(w) });
    expect(result).toMatchObject({ planner: 'rules', plan: { mode: 'chaos', chaos_level: 5, seed: 1 } });
    expect(warnings[0]?.code).toBe('LA_PLAN_INVALID');
    const german = await planWithModel('lies a.txt', { orchestrator: answering(null), language: 'de' });
    expect(german.plan.language).toBe('en');
  });

  it('throws what is not a model failure', async () => {
    await expect(planWithModel('x', { orchestrator: failing(new OperationCancelledError({ message: 'stop' })) })).rejects.toMatchObject({ code: 'LA_CANCELLED' });
    await expect(planWithModel('x', { orchestrator: failing(new Error('bug')) })).rejects.toMatchObject({ code: 'LA_INTERNAL' });
    const controller = new AbortController();
    controller.abort();
    await expect(planWithModel('x', { orchestrator: failing(new LocalAgentError({ code: 'LA_NETWORK', message: 'gone' })), signal: controller.signal })).rejects.toMatchObject({ code: 'LA_NETWORK' });
  });
});

describe('the planner prompt', () => {
  it('explains the format with one valid example and asks for the input shape of the schema', () => {
    expect(altPlanSchema.parse(PLANNER_EXAMPLE)).toBeTruthy();
    const prompt = plannerSystemPrompt();
    for (const word of ['fs:', 'shell:', 'http:', 'ai:', 'approval:', '{{ tasks.<id>.output.content }}', 'never "sh -c"', 'Example']) expect(prompt).toContain(word);
    const schema = plannerSchema();
    expect(schema['required']).toEqual(['alt', 'title', 'tasks']);
  });
});
