import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useTempDirs } from '../../../test/support/tempDir.js';
import { createApp, type App } from '../../app.js';
import { startMockLlm, type MockLlmServer } from '../../devtools/mock-llm/index.js';
import type { AltTask } from '../../formats/index.js';
import type { Policy, PolicyEffect, ToolContext } from '../types/index.js';
import { createAiTool } from './createAiTool.js';

const tempDir = useTempDirs();
let mock: MockLlmServer;
const apps: App[] = [];

beforeAll(async () => {
  mock = await startMockLlm({ script: { models: { a: { reply: 'Paris' }, b: { reply: 'paris.' }, c: { reply: 'Lyon' }, js: { reply: 'json', json: { n: 2 } }, slow: { reply: 'slow', latency_ms: 800 } } } });
});
afterAll(async () => {
  await mock.close();
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function tool() {
  const home = await tempDir();
  const models = ['a', 'b', 'c', 'js', 'slow'].map((m) => `  - id: ${m}\n    provider: mock\n    model: ${m}\n    price: { input: 1, output: 1 }\n    capabilities: [text, json]`).join('\n');
  await writeFile(join(home, 'config.yaml'), `providers:\n  mock:\n    type: openai-compatible\n    base_url: ${mock.openaiBaseUrl}\n    requires_key: false\norchestrator:\n  detect_ollama: false\nmodels:\n${models}\n`);
  const app = await createApp({ home, cwd: home, env: {}, logStream: false });
  apps.push(app);
  return createAiTool(async () => (await app.models()).orchestrator);
}

function context(effect: PolicyEffect = 'allow', approved = false): ToolContext {
  const policy: Policy = { decide: () => Promise.resolve({ effect, reason: `policy says ${effect}`, rules: ['test'] }) };
  return {
    workspace: '/nonexistent',
    signal: new AbortController().signal,
    runId: 'run-1',
    taskId: 't',
    policy,
    approved,
    limits: { maxOutputBytes: 1024, maxReadBytes: 1024, defaultTimeoutMs: 5000 },
    env: {},
    scope: { inputs: {}, tasks: {} },
  };
}

const task = (extra: Partial<Extract<AltTask, { kind: 'ai' }>>): Extract<AltTask, { kind: 'ai' }> => ({ id: 't', kind: 'ai', prompt: 'capital of France?', ...extra });

describe('the ai task tool', () => {
  it('answers with text, model, usage and cost', async () => {
    const out = await (await tool()).run(task({ model: 'a' }), context());
    expect(out).toMatchObject({ text: 'Paris', model: 'a', usage: { input_tokens: expect.any(Number) as unknown } });
    expect((out as { cost: number }).cost).toBeGreaterThan(0);
  });

  it('returns validated JSON for a schema', async () => {
    const out = await (await tool()).run(task({ model: 'js', schema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] } }), context());
    expect(out).toMatchObject({ json: { n: 2 } });
  });

  it('runs ensembles (keeping every answer for explore) and races', async () => {
    const t = await tool();
    const all = (await t.run(task({ strategy: 'ensemble', models: ['a', 'b', 'c'], merge: 'all' }), context())) as { alternatives: unknown[]; members: unknown[] };
    expect(all.alternatives).toHaveLength(3);
    expect(all.members).toHaveLength(3);
    const vote = await t.run(task({ strategy: 'ensemble', models: ['c', 'a', 'b'] }), context());
    expect((vote as { text: string }).text.toLowerCase()).toContain('paris');
    const raced = (await t.run(task({ strategy: 'race', models: ['slow', 'a'] }), context())) as { model: string; members: { model: string; status: string }[] };
    expect(raced.model).toBe('a');
    expect(raced.members.find((m) => m.model === 'slow')?.status).toBe('aborted');
  });

  it('uses a strategy over candidates', async () => {
    const out = await (await tool()).run(task({ strategy: 'cheapest', models: ['a', 'c'] }), context());
    expect(['a', 'c']).toContain((out as { model: string }).model);
  });

  it('asks the policy first: deny stops it, approve waits for a person', async () => {
    const t = await tool();
    const before = mock.requests.length;
    await expect(t.run(task({ model: 'a' }), context('deny'))).rejects.toMatchObject({ code: 'LA_POLICY_DENIED' });
    await expect(t.run(task({ model: 'a' }), context('approve'))).rejects.toMatchObject({ code: 'LA_APPROVAL_REQUIRED' });
    expect(mock.requests.length).toBe(before);
    await expect(t.run(task({ model: 'a' }), context('approve', true))).resolves.toMatchObject({ text: 'Paris' });
  });
});
