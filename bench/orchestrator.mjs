// The orchestrator's added latency per call (p50, p99) against calling the same mock server
// directly with the same client library (AI SDK + OpenAI-compatible provider), interleaved in one
// run; then 1,000 concurrent streaming calls through the orchestrator. Targets: added p50 ≤ 0.3 ms,
// p99 ≤ 1 ms; 1,000 concurrent streams without error.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText } from 'ai';
import { createApp } from '../dist/app.js';
import { startMockLlm } from '../dist/devtools/mock-llm/index.js';
import { quantile, round } from './stats.mjs';

const ROUNDS = 10;
const CALLS_PER_ROUND = 150;
const CONCURRENT_STREAMS = 1000;

async function timeCalls(fn, count, into) {
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await fn(i);
    into.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}

export async function run() {
  const mock = await startMockLlm({
    script: { models: { bench: { reply: 'ok' }, stream: { reply: 'one two three four five six seven eight nine ten', chunk_size: 8, chunk_delay_ms: 5 } } },
  });
  const home = await mkdtemp(join(tmpdir(), 'la-bench-orch-'));
  try {
    await writeFile(
      join(home, 'config.yaml'),
      `providers:\n  mock:\n    type: openai-compatible\n    base_url: ${mock.openaiBaseUrl}\n    requires_key: false\n    max_concurrency: ${CONCURRENT_STREAMS}\n` +
        `orchestrator:\n  detect_ollama: false\nmodels:\n  - id: bench\n    provider: mock\n    model: bench\n  - id: stream\n    provider: mock\n    model: stream\n`,
    );
    const app = await createApp({ home, cwd: home, env: {}, logStream: false });
    const { orchestrator } = await app.models();
    const direct = createOpenAICompatible({ name: 'mock', baseURL: mock.openaiBaseUrl, includeUsage: true }).chatModel('bench');
    const baselineCall = () => generateText({ model: direct, prompt: 'ping', maxRetries: 0 });
    const subjectCall = () => orchestrator.generate({ prompt: 'ping', model: 'bench' });

    for (let i = 0; i < 200; i++) {
      await baselineCall();
      await subjectCall();
    }
    const baseline = [];
    const subject = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2 === 0) {
        await timeCalls(baselineCall, CALLS_PER_ROUND, baseline);
        await timeCalls(subjectCall, CALLS_PER_ROUND, subject);
      } else {
        await timeCalls(subjectCall, CALLS_PER_ROUND, subject);
        await timeCalls(baselineCall, CALLS_PER_ROUND, baseline);
      }
    }
    const b50 = quantile(baseline, 0.5);
    const b99 = quantile(baseline, 0.99);
    const s50 = quantile(subject, 0.5);
    const s99 = quantile(subject, 0.99);

    mock.reset();
    const started = process.hrtime.bigint();
    const outcomes = await Promise.allSettled(
      Array.from({ length: CONCURRENT_STREAMS }, async () => {
        let text = '';
        for await (const event of orchestrator.stream({ prompt: 'go', model: 'stream' })) if (event.type === 'text') text += event.text;
        if (text !== 'one two three four five six seven eight nine ten') throw new Error(`wrong text: ${text}`);
      }),
    );
    const streamMs = Number(process.hrtime.bigint() - started) / 1e6;
    const errors = outcomes.filter((o) => o.status === 'rejected');
    await app.close();

    const added50 = s50 - b50;
    const added99 = s99 - b99;
    return {
      name: 'orchestrator',
      unit: 'ms per call (p50)',
      baseline: round(b50, 3),
      subject: round(s50, 3),
      ratio: round(s50 / b50, 3),
      target: 'added p50 ≤ 0.3 ms, added p99 ≤ 1 ms, 1,000 concurrent streams without error',
      pass: added50 <= 0.3 && added99 <= 1 && errors.length === 0,
      details: {
        calls_each: baseline.length,
        direct_p50_ms: round(b50, 3),
        direct_p99_ms: round(b99, 3),
        orchestrator_p50_ms: round(s50, 3),
        orchestrator_p99_ms: round(s99, 3),
        added_p50_ms: round(added50, 3),
        added_p99_ms: round(added99, 3),
        concurrent_streams: CONCURRENT_STREAMS,
        concurrent_stream_errors: errors.length,
        first_error: errors[0]?.reason?.message,
        concurrent_streams_total_ms: round(streamMs, 0),
      },
    };
  } finally {
    await mock.close();
    await rm(home, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
