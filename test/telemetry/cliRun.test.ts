import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlmServer } from '../../src/devtools/mock-llm/index.js';
import { runInProcess } from '../support/cliHarness.js';
import { useTempDirs } from '../support/tempDir.js';
import { startCollector, type CollectorStub, type ExportedSpan } from './support/collectorStub.js';
import { MODELS, SENTINEL_KEY, SENTINEL_PROMPT, tracedConfig } from './support/tracedServer.js';

/** `localagent run` with tracing on: the run's spans reach the collector by the time the command exits. */
const tempDir = useTempDirs();
let collector: CollectorStub;
let mock: MockLlmServer;

beforeAll(async () => {
  collector = await startCollector();
  mock = await startMockLlm({ requireKey: SENTINEL_KEY, script: { models: MODELS } });
});
afterAll(async () => {
  await mock?.close();
  await collector?.close();
});

async function run(plan: string): Promise<{ code: number; runId: string; spans: ExportedSpan[]; command: ExportedSpan | undefined }> {
  const home = await tempDir();
  const workspace = await tempDir();
  await writeFile(join(home, 'config.yaml'), tracedConfig(mock));
  await writeFile(join(workspace, 'plan.alt.yaml'), plan);
  // The batch delay is long: whatever arrives was flushed at exit.
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '600000', LOCALAGENT_MOCK_API_KEY: SENTINEL_KEY, USER: 'tester' };
  const result = await runInProcess(['--home', home, 'run', 'plan.alt.yaml', '--json'], { cwd: workspace, env });
  const runId = (JSON.parse(result.stdout) as { run_id: string }).run_id;
  const spans = collector.spans().filter((span) => span.attributes['localagent.run.id'] === runId);
  const traceId = spans[0]?.traceId;
  const command = collector.spans().find((span) => span.traceId === traceId && span.name === 'localagent run');
  return { code: result.code, runId, spans, command };
}

function named(spans: ExportedSpan[], name: string): ExportedSpan {
  const found = spans.filter((span) => span.name === name);
  expect(found.map((span) => span.name)).toEqual([name]);
  return found[0] as ExportedSpan;
}

describe('tracing CLI commands', () => {
  it('puts every model a fallback tries in `localagent ask` under one command span', async () => {
    const home = await tempDir();
    await writeFile(join(home, 'config.yaml'), tracedConfig(mock));
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '600000', LOCALAGENT_MOCK_API_KEY: SENTINEL_KEY };
    const result = await runInProcess(['--home', home, 'ask', SENTINEL_PROMPT, '--models', 'mock-down,mock-fast', '--json'], { cwd: home, env });
    expect(result.code, result.stderr).toBe(0);
    const command = collector.spans().findLast((span) => span.name === 'localagent ask');
    expect(command).toMatchObject({ parentSpanId: '', attributes: { 'localagent.command': 'ask', 'process.exit.code': 0 } });
    const calls = collector.spans().filter((span) => span.traceId === command?.traceId && span.name.startsWith('chat '));
    expect(calls.map((span) => [span.name, span.parentSpanId, span.attributes['localagent.attempt'], span.status.code])).toEqual([
      ['chat mock-down', command?.spanId, 1, 2],
      ['chat mock-fast', command?.spanId, 2, 0],
    ]);
    expect(Buffer.concat(collector.bodies).toString('utf8')).not.toContain('SENTINEL-PROMPT-7f3c9e21');
  });
});

describe('tracing localagent run', () => {
  it('exports the run, its tasks and their model calls before the command exits', async () => {
    const plan = `alt: 1\ntitle: traced\ntasks:\n  - id: ask\n    kind: ai\n    model: mock-echo\n    max_tokens: 32\n    prompt: "${SENTINEL_PROMPT}"\n  - id: shout\n    kind: transform\n    needs: [ask]\n    expr: "$uppercase(tasks.ask.output.text)"\n`;
    const { code, runId, spans, command } = await run(plan);
    expect(code).toBe(0);
    expect(command).toMatchObject({ parentSpanId: '', attributes: { 'localagent.command': 'run', 'process.exit.code': 0 }, status: { code: 0 } });
    const root = named(spans, 'run');
    expect(root).toMatchObject({ parentSpanId: command?.spanId, attributes: { 'localagent.run.status': 'success', 'localagent.run.resumed': false } });
    const ai = named(spans, 'task ai');
    const transform = named(spans, 'task transform');
    expect([ai.parentSpanId, transform.parentSpanId]).toEqual([root.spanId, root.spanId]);
    const call = named(spans, 'chat mock-echo');
    expect(call).toMatchObject({ parentSpanId: ai.spanId, traceId: root.traceId });
    expect(call.attributes).toMatchObject({ 'gen_ai.request.model': 'mock-echo', 'gen_ai.request.max_tokens': 32, 'localagent.run.id': runId, 'localagent.strategy': 'explicit' });
    const sent = Buffer.concat(collector.bodies).toString('utf8');
    for (const secret of [SENTINEL_KEY, 'SENTINEL-PROMPT-7f3c9e21', 'harbour plan']) expect(sent).not.toContain(secret);
  });

  it('marks a failed task and its run as errors, with the failing code', async () => {
    const plan = 'alt: 1\ntitle: failing\ntasks:\n  - id: ask\n    kind: ai\n    model: mock-down\n    prompt: hello\n';
    const { code, spans, command } = await run(plan);
    expect(code).toBe(1);
    expect(command).toMatchObject({ status: { code: 2 }, attributes: { 'process.exit.code': 1 } });
    const task = named(spans, 'task ai');
    expect(task).toMatchObject({ status: { code: 2 }, attributes: { 'localagent.task.status': 'failed', 'error.type': expect.stringMatching(/^LA_PROVIDER_/) as string } });
    const root = named(spans, 'run');
    expect(root).toMatchObject({ status: { code: 2 }, attributes: { 'localagent.run.status': 'failure', 'error.type': task.attributes['error.type'] } });
    expect(named(spans, 'chat mock-down')).toMatchObject({ parentSpanId: task.spanId, status: { code: 2 } });
  });
});
