// What OpenTelemetry tracing costs on `localagent serve`: the OpenAI-compatible
// /v1/chat/completions in front of the mock model server, with tracing off and with tracing on
// (every request a server span and a GenAI chat span, exported over OTLP/HTTP to a collector stub
// on loopback, with the default batch settings). The two servers run side by side in child
// processes and are measured in interleaved rounds (the order flips every round), so machine load
// affects both alike. Latency is timed per request on the client (p50, p99); CPU is read from each
// server's /proc/<pid>/stat, per request, which load from other processes disturbs much less.
// Also: what the tracing hooks cost when tracing is off (the no-op path, per model call).
// Target: tracing on adds ≤ 5 % to the p50 latency; off costs ~0.
import { rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, quantile, round } from './stats.mjs';
import { startBenchMock, startBenchServe } from './benchServe.mjs';
import { cpuMs, startChild, stop } from './processes.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const CHAT_BODY = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'ping' }] });

// A collector: takes POST /v1/traces, counts spans (by their span ids) and bytes, answers {}.
const COLLECTOR = `
import { createServer } from 'node:http';
let spans = 0, bytes = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/count') return res.end(JSON.stringify({ spans, bytes }));
    const body = Buffer.concat(chunks).toString('utf8');
    bytes += body.length;
    spans += (body.match(/"spanId"/g) ?? []).length;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));
`;

/** One chat completion over a keep-alive agent; resolves with its latency in ms. */
function chat(agent, url, token) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(`${url}/v1/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(CHAT_BODY) } }, (res) => {
      res.resume();
      res.once('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.once('error', reject);
    req.end(CHAT_BODY);
  });
}

/** `connections` clients in a loop for `seconds`: latencies, requests/s, and the server's CPU per request. */
async function load(target, { connections, seconds }) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies = [];
  const cpu0 = await cpuMs(target.child.pid);
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) latencies.push(await chat(agent, target.url, target.token));
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = ((await cpuMs(target.child.pid)) - cpu0) / 1000;
  agent.destroy();
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), rps: latencies.length / elapsed, cpuUsPerRequest: (cpu * 1e6) / latencies.length };
}

/** Nanoseconds per model call that the tracing hooks cost with tracing off (the no-op tracer). */
async function offPathNs() {
  const [{ createNoopTracer }, { startCallSpan, endCallSpan }] = await Promise.all([import(join(root, 'dist/core/telemetry/index.js')), import(join(root, 'dist/orchestrator/calling/callSpan.js'))]);
  const tracer = createNoopTracer();
  const start = { spec: { id: 'm', provider: 'p', model: 'm', price: { input: 0, output: 0 }, capabilities: ['text'] }, provider: { name: 'p', type: 'openai', baseUrl: 'http://x', requiresKey: false, timeoutMs: 1, firstTokenTimeoutMs: 1, maxConcurrency: 1 }, request: {}, attempt: undefined, stream: false };
  const end = { outcome: 'success', error: undefined, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0, tries: 1, sent: true, finishReason: 'stop', responseModel: 'm', responseId: 'r', firstChunkMs: undefined };
  const n = 2_000_000;
  const samples = [];
  for (let r = 0; r < 5; r += 1) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i += 1) {
      const span = startCallSpan(tracer, start);
      endCallSpan(span, end);
      tracer.withSpan(tracer.startSpan('run'), () => i);
    }
    samples.push(Number(process.hrtime.bigint() - t0) / n);
  }
  return round(median(samples), 1);
}

export async function run({ seconds = 5, rounds = 6, connectionsList = [1, 10] } = {}) {
  const children = [];
  const homes = [];
  try {
    const mock = await startBenchMock();
    children.push(mock.child);
    const collector = await startChild(['--input-type=module', '-e', COLLECTOR], (out) => /^(http:\/\/\S+)\n/m.exec(out)?.[1]);
    children.push(collector.child);
    const off = await startBenchServe({ mockUrl: mock.value, homePrefix: 'la-bench-tracing-' });
    children.push(off.child);
    homes.push(off.home);
    const on = await startBenchServe({ mockUrl: mock.value, env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.value, OTEL_SERVICE_NAME: 'localagent-bench' }, homePrefix: 'la-bench-tracing-' });
    children.push(on.child);
    homes.push(on.home);
    const targets = { off, on };

    const results = {};
    for (const connections of connectionsList) {
      for (const target of Object.values(targets)) await load(target, { connections, seconds: 1 });
      const samples = { off: [], on: [] };
      for (let r = 0; r < rounds; r += 1) {
        const order = r % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
        for (const name of order) samples[name].push(await load(targets[name], { connections, seconds }));
      }
      const summary = (list) => ({
        p50_ms: round(median(list.map((s) => s.p50)), 3),
        p99_ms: round(median(list.map((s) => s.p99)), 3),
        rps: round(median(list.map((s) => s.rps)), 0),
        cpu_us_per_request: round(median(list.map((s) => s.cpuUsPerRequest)), 0),
      });
      const offSummary = summary(samples.off);
      const onSummary = summary(samples.on);
      results[`c${connections}`] = {
        off: offSummary,
        on: onSummary,
        p50_added_pct: round(((onSummary.p50_ms - offSummary.p50_ms) / offSummary.p50_ms) * 100, 1),
        p99_added_pct: round(((onSummary.p99_ms - offSummary.p99_ms) / offSummary.p99_ms) * 100, 1),
        cpu_added_pct: round(((onSummary.cpu_us_per_request - offSummary.cpu_us_per_request) / offSummary.cpu_us_per_request) * 100, 1),
        rounds_p50_ms: { off: samples.off.map((s) => round(s.p50, 3)), on: samples.on.map((s) => round(s.p50, 3)) },
      };
    }
    // The on server's spans reach the collector (5 s batches): stop it, which flushes, then count.
    await stop(on.child);
    const stoppedBy = on.child.signalCode ?? `exit ${on.child.exitCode}`;
    const received = await (await fetch(`${collector.value}/count`)).json();
    const noopNs = await offPathNs();

    const primary = results[`c${connectionsList[0]}`];
    const pass = Object.values(results).every((r) => r.p50_added_pct <= 5) && received.spans > 0 && noopNs < 100;
    return {
      name: 'tracing',
      unit: '% added to the chat endpoint\'s p50 latency by tracing (on vs off)',
      baseline: primary.off.p50_ms,
      subject: primary.on.p50_ms,
      ratio: round(primary.on.p50_ms / primary.off.p50_ms, 3),
      target: 'p50 +≤ 5 % with tracing on (every concurrency); off: < 100 ns per model call',
      pass,
      details: { seconds_per_round: seconds, rounds, ...results, on_server_stopped_by: stoppedBy, spans_received: received.spans, bytes_received: received.bytes, off_path_ns_per_call: noopNs },
    };
  } finally {
    await Promise.all(children.map(stop));
    await Promise.all(homes.map((home) => rm(home, { recursive: true, force: true })));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
