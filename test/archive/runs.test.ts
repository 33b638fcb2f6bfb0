import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { startMockLlm, type MockLlmServer } from '../../src/devtools/mock-llm/index.js';
import { validatePlan } from '../../src/formats/index.js';
import { useTempDirs } from '../support/tempDir.js';

/** A real run through the app: runner → .last → the runner's hook → the archive, with a mock provider. */
const tempDir = useTempDirs();
let mock: MockLlmServer;

beforeAll(async () => {
  mock = await startMockLlm({ script: { models: { talker: { reply: 'the notes are ready', ttft_ms: 5, chunk_size: 4 }, broken: { fault: { kind: 'bad_request' } } } } });
});
afterAll(async () => {
  await mock.close();
});

describe('archiving runs as they finish', () => {
  it('derives the .atlas record with model, provider, latency and tokens as soon as a run ends', { timeout: 60_000 }, async () => {
    const home = await tempDir();
    await writeFile(
      join(home, 'config.yaml'),
      [
        'resilience:',
        '  retry: { max_attempts: 1 }',
        'providers:',
        `  mock: { type: openai-compatible, base_url: "${mock.openaiBaseUrl}", requires_key: false }`,
        'orchestrator: { detect_ollama: false }',
        'models:',
        '  - { id: talker, provider: mock, model: talker, price: { input: 2, output: 4 }, capabilities: [text] }',
        '  - { id: broken, provider: mock, model: broken, capabilities: [text] }',
        '',
      ].join('\n'),
    );
    const plan = validatePlan({
      alt: 1,
      title: 'Write the notes',
      command: 'write the release notes with the talker model',
      tasks: [
        { id: 'write', kind: 'ai', title: 'Write them', prompt: 'Write release notes', model: 'talker' },
        { id: 'check', kind: 'ai', prompt: 'Check them', model: 'broken', on_failure: 'ignore' },
      ],
    });
    const app = await createApp({ home, cwd: home, env: {}, logStream: false });
    const { runner } = await app.runner();
    const last = await (await runner.start(plan, { workspace: home })).done;
    expect(last.status).toBe('partial');
    await app.close();

    const again = await createApp({ home, cwd: home, env: {}, logStream: false });
    try {
      // Archived by the hook: no archive command ran in between.
      const db = (await again.database()).db;
      expect(await db.selectFrom('atlas_runs').select(['run_id', 'source', 'command']).execute()).toEqual([{ run_id: last.run_id, source: 'run', command: 'write the release notes with the talker model' }]);
      const archive = await again.archive();
      const { record } = await archive.show(last.run_id);
      expect(record.tasks[0]).toMatchObject({ id: 'write', kind: 'ai', title: 'Write them', success: true, model: 'talker', provider: 'mock', attempts: 1 });
      expect(record.tasks[0]?.latency_ms).toEqual(expect.any(Number));
      expect(record.tasks[0]?.tokens?.output).toBeGreaterThan(0);
      expect(record.tasks[0]?.cost_usd).toBeGreaterThan(0);
      // The failed task names the model the plan asked for, and its error code.
      expect(record.tasks[1]).toMatchObject({ id: 'check', success: false, model: 'broken', error_code: 'LA_PROVIDER_BAD_REQUEST' });
      expect((await archive.search('output:ready')).map((h) => h.run_id)).toEqual([last.run_id]);
      const byModel = await archive.statistics('model');
      expect(byModel.rows.map((r) => [r.group, r.count, r.successes])).toEqual([
        ['broken', 1, 0],
        ['talker', 1, 1],
      ]);
      // Both calls were also recorded for model selection.
      const { stats } = await again.models();
      expect(stats.get('ai', 'talker')).toMatchObject({ count: 1, successRate: 1 });
      expect(stats.get('ai', 'broken')).toMatchObject({ count: 1, successRate: 0 });
    } finally {
      await again.close();
    }
  });
});
