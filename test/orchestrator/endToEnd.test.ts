import { randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { startMockLlm, type MockLlmServer, type MockScript } from '../../src/devtools/mock-llm/index.js';
import { useTempDirs } from '../support/tempDir.js';

/**
 * The whole model path as LocalAgent runs it: config file → app → model service → provider SDK →
 * a real HTTP server on loopback speaking the providers' protocols, with scripted faults.
 */
const tempDir = useTempDirs();
let mock: MockLlmServer;
const apps: App[] = [];

beforeAll(async () => {
  mock = await startMockLlm({ requireKey: 'sk-mock-0123456789abcdef' });
});
afterAll(async () => {
  await mock.close();
});
// Registered after useTempDirs, so it runs before the folders are removed (after-hooks run in reverse).
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});
beforeEach(() => {
  mock.reset();
});

const MODELS = ['ok', 'other', 'down', 'limited', 'hang', 'reset', 'midstream', 'toolong', 'badreq', 'slowstart', 'js', 'badjs', 'claude', 'gem'];

async function app(script: MockScript, extraConfig = ''): Promise<App> {
  mock.setScript(script);
  const home = await tempDir();
  const models = MODELS.map((id) => {
    const provider = id === 'claude' ? 'mockanthropic' : id === 'gem' ? 'mockgemini' : 'mock';
    return `  - id: ${id}\n    provider: ${provider}\n    model: ${id}\n    price: { input: 1, output: 2 }\n    capabilities: [text, json]`;
  }).join('\n');
  await writeFile(
    join(home, 'config.yaml'),
    `log:\n  level: debug\nresilience:\n  retry: { max_attempts: 2, base_delay_ms: 1, max_delay_ms: 5 }\n  breaker: { failure_threshold: 50 }\n` +
      `providers:\n  mock:\n    type: openai-compatible\n    base_url: ${mock.openaiBaseUrl}\n    timeout_ms: 2000\n    first_token_timeout_ms: 400\n` +
      `  mockanthropic:\n    type: anthropic\n    base_url: ${mock.anthropicBaseUrl}\n  mockgemini:\n    type: gemini\n    base_url: ${mock.geminiBaseUrl}\n` +
      `orchestrator:\n  detect_ollama: false\n${extraConfig}models:\n${models}\n`,
  );
  const env = { LOCALAGENT_MOCK_API_KEY: 'sk-mock-0123456789abcdef', LOCALAGENT_MOCKANTHROPIC_API_KEY: 'sk-mock-0123456789abcdef', LOCALAGENT_MOCKGEMINI_API_KEY: 'sk-mock-0123456789abcdef' };
  const built = await createApp({ home, cwd: home, env, logStream: false });
  apps.push(built);
  return built;
}

const FAULTS: MockScript = {
  models: {
    ok: { reply: 'the answer' },
    other: { reply: 'another answer' },
    down: { fault: { kind: 'server_error' } },
    limited: { fault: { kind: 'rate_limit', retry_after_s: 0 } },
    hang: { fault: { kind: 'hang' } },
    reset: { fault: { kind: 'reset' } },
    midstream: { reply: 'partial answer that breaks off here', chunk_size: 4, chunk_delay_ms: 5, fault: { kind: 'reset_mid_stream' } },
    toolong: { fault: { kind: 'context_length' } },
    badreq: { fault: { kind: 'bad_request' } },
    slowstart: { reply: 'late', ttft_ms: 1500 },
    js: { reply: 'json', json: { answer: 4 } },
    badjs: { fault: { kind: 'invalid_json_output' } },
    claude: { reply: 'from claude' },
    gem: { reply: 'from gemini' },
  },
};

describe('orchestrator end to end against the mock model server', () => {
  it('answers through each protocol, with usage and cost from the configured price, sending the stored key', async () => {
    const { orchestrator } = await (await app(FAULTS)).models();
    for (const [model, text] of [['ok', 'the answer'], ['claude', 'from claude'], ['gem', 'from gemini']] as const) {
      const { result } = await orchestrator.generate({ prompt: 'hello world', model });
      expect(result.text).toBe(text);
      expect(result.usage.inputTokens).toBeGreaterThan(0);
      expect(result.costUsd).toBeCloseTo((result.usage.inputTokens * 1 + result.usage.outputTokens * 2) / 1e6, 12);
    }
    expect(mock.requests.filter((r) => r.model === 'ok')[0]?.headers.authorization).toBe('Bearer sk-mock-0123456789abcdef');
  });

  it('streams text deltas, then the result', async () => {
    const { orchestrator } = await (await app({ models: { ok: { reply: 'one two three four five', chunk_size: 4 } } })).models();
    const texts: string[] = [];
    let done: unknown;
    for await (const event of orchestrator.stream({ prompt: 'x', model: 'ok' })) {
      if (event.type === 'text') texts.push(event.text);
      else done = event.result;
    }
    expect(texts.length).toBeGreaterThan(2);
    expect(texts.join('')).toBe('one two three four five');
    expect(done).toMatchObject({ text: 'one two three four five', model: 'ok' });
  });

  it.each([
    ['down', 'LA_PROVIDER_UNAVAILABLE'],
    ['limited', 'LA_PROVIDER_RATE_LIMITED'],
    ['hang', 'LA_TIMEOUT'],
    ['reset', 'LA_NETWORK'],
    ['toolong', 'LA_CONTEXT_LENGTH'],
  ])('falls over from %s (%s) to the next model', async (bad, code) => {
    const { orchestrator } = await (await app(FAULTS)).models();
    const answered = await orchestrator.generate({ prompt: 'x', models: [bad, 'ok'], strategy: 'fallback' });
    expect(answered.result.text).toBe('the answer');
    expect(answered.tried).toEqual([expect.objectContaining({ model: bad, ok: false, errorCode: code }), expect.objectContaining({ model: 'ok', ok: true })]);
  });

  it('retries a transient failure on the same model before failing over (no retry for a 400)', async () => {
    const { orchestrator } = await (await app(FAULTS)).models();
    await orchestrator.generate({ prompt: 'x', models: ['down', 'ok'] });
    expect(mock.requests.filter((r) => r.model === 'down')).toHaveLength(2);
    await expect(orchestrator.generate({ prompt: 'x', models: ['badreq', 'ok'] })).rejects.toMatchObject({ code: 'LA_PROVIDER_BAD_REQUEST' });
    expect(mock.requests.filter((r) => r.model === 'badreq')).toHaveLength(1);
    expect(mock.requests.filter((r) => r.model === 'ok')).toHaveLength(1);
  });

  it('says which models failed and why when all do', async () => {
    const { orchestrator } = await (await app(FAULTS)).models();
    const error = await orchestrator.generate({ prompt: 'x', models: ['down', 'reset'] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'LA_ALL_MODELS_FAILED' });
    expect((error as Error).message).toContain('down');
    expect((error as Error).message).toContain('LA_NETWORK');
  });

  it('fails a stream over when it does not start in time, and never after text was sent', async () => {
    const { orchestrator } = await (await app(FAULTS)).models();
    const texts: string[] = [];
    for await (const event of orchestrator.stream({ prompt: 'x', models: ['slowstart', 'ok'] })) if (event.type === 'text') texts.push(event.text);
    expect(texts.join('')).toBe('the answer');
    const broken: string[] = [];
    const failure = await (async () => {
      for await (const event of orchestrator.stream({ prompt: 'x', models: ['midstream', 'ok'] })) if (event.type === 'text') broken.push(event.text);
    })().catch((e: unknown) => e);
    expect(broken.join('').length).toBeGreaterThan(0);
    expect(failure).toMatchObject({ category: 'transient' });
    expect(mock.requests.filter((r) => r.model === 'ok')).toHaveLength(1);
  });

  it('returns validated JSON, and repairs or refuses invalid output', async () => {
    const { orchestrator } = await (await app(FAULTS)).models();
    const schema = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'] };
    const good = await orchestrator.generate({ prompt: 'x', model: 'js', schema });
    expect(good.result.json).toEqual({ answer: 4 });
    await expect(orchestrator.generate({ prompt: 'x', model: 'badjs', schema })).rejects.toMatchObject({ code: 'LA_MODEL_OUTPUT_INVALID' });
    expect(mock.requests.filter((r) => r.model === 'badjs')).toHaveLength(2);
    await expect(orchestrator.generate({ prompt: 'x', model: 'js', schema: { type: 'nonsense' } })).rejects.toMatchObject({ code: 'LA_SCHEMA_INVALID' });
  });

  it('refuses a call over budget before sending it, per call and per run', async () => {
    const built = await app(FAULTS, '  max_cost_usd_per_run: 0.00002\n');
    const { orchestrator } = await built.models();
    await expect(orchestrator.generate({ prompt: 'x'.repeat(4000), model: 'ok', maxCostUsd: 0.000001 })).rejects.toMatchObject({ code: 'LA_BUDGET_EXCEEDED' });
    expect(mock.requests).toHaveLength(0);
    let refused: unknown;
    for (let i = 0; i < 50 && refused === undefined; i++) {
      await orchestrator.generate({ prompt: 'x', model: 'ok', maxOutputTokens: 5, runId: 'run-1' }).catch((e: unknown) => (refused = e));
    }
    expect(refused).toMatchObject({ code: 'LA_BUDGET_EXCEEDED' });
  });

  it('races two models, takes the first good answer and aborts the other', async () => {
    const { orchestrator } = await (await app({ models: { ok: { reply: 'quick' }, other: { reply: 'slow', latency_ms: 1500 } } })).models();
    const raced = await orchestrator.race({ prompt: 'x' }, ['other', 'ok']);
    expect(raced.result.text).toBe('quick');
    expect(raced.members.find((m) => m.model === 'other')?.status).toBe('aborted');
  });

  it('merges an ensemble by majority vote and reports every member', async () => {
    const { orchestrator } = await (await app({ models: { ok: { reply: 'Paris.' }, other: { reply: 'paris' }, claude: { reply: 'Lyon' } } })).models();
    const merged = await orchestrator.ensemble({ prompt: 'capital of France?' }, ['claude', 'ok', 'other'], { merge: 'vote' });
    expect(merged.decidedBy).toBe('vote');
    expect(merged.result.text.toLowerCase()).toContain('paris');
    expect(merged.members).toHaveLength(3);
  });

  it('tells a person exactly how to add a missing key, and keys never reach the logs', async () => {
    const built = await app(FAULTS);
    const { orchestrator } = await built.models();
    await expect(orchestrator.generate({ prompt: 'x', model: 'openai/gpt-4o-mini' })).rejects.toMatchObject({
      code: 'LA_PROVIDER_NO_KEY',
      suggestion: expect.stringContaining('localagent config set-key openai') as unknown,
    });
    await built.close();
    apps.splice(apps.indexOf(built), 1);
    const logDir = built.paths.logs;
    for (const file of await readdir(logDir)) expect(await readFile(join(logDir, file), 'utf8')).not.toContain('sk-mock-0123456789abcdef');
  });

  it('cancels a call in flight when the caller aborts', async () => {
    const { orchestrator } = await (await app(FAULTS)).models();
    const controller = new AbortController();
    const pending = orchestrator.generate({ prompt: 'x', model: 'hang', signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toMatchObject({ code: 'LA_CANCELLED' });
  });

  it('treats a malformed provider answer as a failure of that model and moves on', async () => {
    const { orchestrator } = await (await app({ models: { down: { fault: { kind: 'malformed_json' } }, ok: { reply: 'fine' } } })).models();
    const answered = await orchestrator.generate({ prompt: 'x', models: ['down', 'ok'] });
    expect(answered.result.text).toBe('fine');
    expect(answered.tried[0]).toMatchObject({ model: 'down', ok: false });
  });

  it('cheapest orders by price; best and auto move away from a model that keeps failing', async () => {
    const built = await app(
      { models: { ok: { reply: 'good' }, other: { fault: { kind: 'server_error' } } } },
      '',
    );
    const { orchestrator, registry } = await built.models();
    expect(registry.model('ok').price).toEqual({ input: 1, output: 2 });
    // ok: $1 in / $2 out per million; the built-in gemini-2.5-flash: $0.30 / $2.50, cheaper blended.
    expect(orchestrator.select({ prompt: 'x', models: ['ok', 'gemini/gemini-2.5-flash'], strategy: 'cheapest' }).order).toEqual(['gemini/gemini-2.5-flash', 'ok']);
    for (let i = 0; i < 6; i++) {
      await orchestrator.generate({ prompt: 'x', model: 'other' }).catch(() => undefined);
      await orchestrator.generate({ prompt: 'x', model: 'ok' });
    }
    for (const strategy of ['best', 'auto'] as const) {
      const picked = await orchestrator.generate({ prompt: 'x', models: ['other', 'ok'], strategy });
      expect(picked.result.model, strategy).toBe('ok');
      expect(picked.tried).toHaveLength(1);
    }
  });

  it('learns from calls: fastest prefers the quicker model once measured', async () => {
    const { orchestrator } = await (await app({ models: { ok: { reply: 'a', latency_ms: 60 }, other: { reply: 'b' } } })).models();
    for (let i = 0; i < 4; i++) {
      await orchestrator.generate({ prompt: `${i} ${randomBytes(2).toString('hex')}`, model: 'ok' });
      await orchestrator.generate({ prompt: `${i}`, model: 'other' });
    }
    const picked = await orchestrator.generate({ prompt: 'x', models: ['ok', 'other'], strategy: 'fastest' });
    expect(picked.result.model).toBe('other');
  });
});
