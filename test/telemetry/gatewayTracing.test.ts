import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type CollectorStub, type ExportedSpan } from './support/collectorStub.js';
import { SENTINEL_KEY, SENTINEL_PROMPT, startTracedServer, type TracedServer } from './support/tracedServer.js';

/**
 * `localagent serve` with tracing on, exporting to a real OTLP/HTTP receiver on loopback, in front
 * of the mock model server: the spans an operator sees in Jaeger or Tempo, and what never reaches them.
 */
const COLLECTOR_SECRET = 'collector-secret-4d2a9c7e1b';
const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

let collector: CollectorStub;
let s: TracedServer;

beforeAll(async () => {
  collector = await startCollector();
  s = await startTracedServer(
    collector.url,
    {
      OTEL_SERVICE_NAME: 'localagent-test',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${COLLECTOR_SECRET}`,
      // Exports happen when the test flushes.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    },
    'info',
  );
});
afterAll(async () => {
  await s?.close();
  await collector?.close();
});

/** A caller's trace context, as a W3C traceparent. */
function callerContext(): { traceId: string; spanId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

async function spansOf(traceId: string): Promise<ExportedSpan[]> {
  await s.app.tracer.flush();
  return collector.spans().filter((span) => span.traceId === traceId);
}

function only(spans: ExportedSpan[], name: string): ExportedSpan {
  const found = spans.filter((span) => span.name === name);
  expect(found.map((span) => span.name), `spans named ${name}`).toEqual([name]);
  return found[0] as ExportedSpan;
}

function chat(model: string, caller: { traceparent: string }, extra: Record<string, unknown> = {}): Promise<Response> {
  return s.call('/v1/chat/completions', {
    method: 'POST',
    headers: { traceparent: caller.traceparent },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: SENTINEL_PROMPT }], ...extra }),
  });
}

describe('tracing localagent serve', () => {
  it('traces a chat completion: a server span continuing the caller\'s trace, a GenAI chat span under it', async () => {
    const caller = callerContext();
    const response = await chat('mock-fast', caller, { max_tokens: 64, temperature: 0.3 });
    expect(response.status).toBe(200);
    await response.json();
    const spans = await spansOf(caller.traceId);
    const server = only(spans, 'POST /v1/chat/completions');
    expect(server).toMatchObject({ kind: SERVER, parentSpanId: caller.spanId, status: { code: 0 } });
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
      'url.path': '/v1/chat/completions',
      'url.scheme': 'http',
      'localagent.request.id': response.headers.get('x-request-id'),
    });
    expect(server.resource).toMatchObject({ 'service.name': 'localagent-test', 'deployment.environment': 'test' });

    const call = only(spans, 'chat mock-fast');
    expect(call).toMatchObject({ kind: CLIENT, parentSpanId: server.spanId, status: { code: 0 } });
    expect(call.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'mock',
      'gen_ai.system': 'mock',
      'gen_ai.request.model': 'mock-fast',
      'gen_ai.response.model': 'mock-fast',
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.stream': false,
      'gen_ai.output.type': 'text',
      'gen_ai.response.finish_reasons': ['stop'],
      'server.address': '127.0.0.1',
      'server.port': s.mock.port,
      'localagent.model': 'mock-fast',
      'localagent.provider': 'mock',
      'localagent.strategy': 'explicit',
      'localagent.attempt': 1,
      'localagent.tries': 1,
      'localagent.outcome': 'success',
    });
    expect(call.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(call.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(call.attributes['localagent.cost_usd']).toBeGreaterThan(0);
    expect(call.attributes['error.type']).toBeUndefined();
    // The exporter sends the configured headers to the collector.
    expect(collector.headers.at(-1)?.authorization).toBe(`Bearer ${COLLECTOR_SECRET}`);
  });

  it('shows each model a fallback tried as its own span, the failed one with its error code', async () => {
    const caller = callerContext();
    const response = await chat('fallback:mock-down,mock-fast', caller);
    expect(response.status).toBe(200);
    const spans = await spansOf(caller.traceId);
    const server = only(spans, 'POST /v1/chat/completions');
    const down = only(spans, 'chat mock-down');
    const fast = only(spans, 'chat mock-fast');
    expect(down).toMatchObject({ parentSpanId: server.spanId, status: { code: ERROR } });
    expect(down.attributes).toMatchObject({ 'localagent.strategy': 'fallback', 'localagent.attempt': 1, 'localagent.outcome': 'failure', 'error.type': expect.stringMatching(/^LA_PROVIDER_/) as string });
    expect(down.events).toEqual([{ name: 'request failed', attributes: { 'error.type': down.attributes['error.type'], 'localagent.tries': 1 } }]);
    expect(fast).toMatchObject({ parentSpanId: server.spanId, status: { code: 0 } });
    expect(fast.attributes).toMatchObject({ 'localagent.strategy': 'fallback', 'localagent.attempt': 2, 'localagent.outcome': 'success' });
  });

  it('shows race members as sibling spans; the one that lost is cancelled, not failed', async () => {
    const caller = callerContext();
    const response = await chat('race:mock-fast,mock-slow', caller);
    expect(response.status).toBe(200);
    const spans = await spansOf(caller.traceId);
    const server = only(spans, 'POST /v1/chat/completions');
    const fast = only(spans, 'chat mock-fast');
    const slow = only(spans, 'chat mock-slow');
    expect([fast.parentSpanId, slow.parentSpanId]).toEqual([server.spanId, server.spanId]);
    expect(fast.attributes).toMatchObject({ 'localagent.strategy': 'race', 'localagent.attempt': 1, 'localagent.outcome': 'success' });
    expect(slow.attributes).toMatchObject({ 'localagent.strategy': 'race', 'localagent.attempt': 2, 'localagent.outcome': 'cancelled' });
    expect(slow.status.code).not.toBe(ERROR);
  });

  it('traces a streamed answer to its end, with the time to the first chunk', async () => {
    const caller = callerContext();
    const response = await chat('mock-slow', caller, { stream: true });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('[DONE]');
    const spans = await spansOf(caller.traceId);
    const server = only(spans, 'POST /v1/chat/completions');
    expect(server.attributes['http.response.status_code']).toBe(200);
    const call = only(spans, 'chat mock-slow');
    expect(call.parentSpanId).toBe(server.spanId);
    expect(call.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'localagent.outcome': 'success', 'gen_ai.response.finish_reasons': ['stop'] });
    expect(call.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('traces a run started over the API: request → run → task → model call, with ids and statuses', async () => {
    const caller = callerContext();
    const plan = {
      alt: 1,
      title: 'Traced run',
      tasks: [
        { id: 'ask', kind: 'ai', model: 'mock-echo', prompt: SENTINEL_PROMPT },
        { id: 'shout', kind: 'transform', needs: ['ask'], expr: '$uppercase(tasks.ask.output.text)' },
      ],
    };
    const response = await s.call('/v1/runs', { method: 'POST', headers: { traceparent: caller.traceparent }, body: JSON.stringify({ plan, wait: true }) });
    const last = (await response.json()) as { run_id: string; plan_id: string; status: string };
    expect(response.status, JSON.stringify(last)).toBe(200);
    expect(last.status).toBe('success');
    const spans = await spansOf(caller.traceId);
    const server = only(spans, 'POST /v1/runs');
    const run = only(spans, 'run');
    expect(run.parentSpanId).toBe(server.spanId);
    expect(run.attributes).toMatchObject({ 'localagent.run.id': last.run_id, 'localagent.plan.id': last.plan_id, 'localagent.run.status': 'success', 'localagent.run.tasks': 2, 'localagent.run.resumed': false });
    const ai = only(spans, 'task ai');
    const transform = only(spans, 'task transform');
    expect([ai.parentSpanId, transform.parentSpanId]).toEqual([run.spanId, run.spanId]);
    expect(ai.attributes).toMatchObject({ 'localagent.run.id': last.run_id, 'localagent.task.id': 'ask', 'localagent.task.kind': 'ai', 'localagent.task.attempt': 1, 'localagent.task.status': 'succeeded' });
    expect(transform.attributes).toMatchObject({ 'localagent.task.id': 'shout', 'localagent.task.status': 'succeeded' });
    const call = only(spans, 'chat mock-echo');
    expect(call.parentSpanId).toBe(ai.spanId);
    expect(call.attributes).toMatchObject({ 'localagent.run.id': last.run_id, 'localagent.task_kind': 'ai' });
  });

  it('starts a trace of its own when the caller sends none (or a malformed one)', async () => {
    const response = await s.call('/v1/models', { headers: { traceparent: '00-not-a-trace-01' } });
    expect(response.status).toBe(200);
    await s.app.tracer.flush();
    const requestId = response.headers.get('x-request-id');
    const server = collector.spans().find((span) => span.attributes['localagent.request.id'] === requestId);
    expect(server).toMatchObject({ name: 'GET /v1/models', parentSpanId: '', kind: SERVER });
  });

  it('marks 5xx answers as errors, 4xx answers not', async () => {
    const caller = callerContext();
    const refused = await s.call('/v1/chat/completions', { method: 'POST', headers: { traceparent: caller.traceparent }, body: JSON.stringify({ model: 'mock-down', messages: [{ role: 'user', content: 'x' }] }) });
    expect(refused.status).toBeGreaterThanOrEqual(500);
    const bad = callerContext();
    expect((await s.call('/v1/chat/completions', { method: 'POST', headers: { traceparent: bad.traceparent }, body: '{}' })).status).toBe(400);
    const failed = only(await spansOf(caller.traceId), 'POST /v1/chat/completions');
    expect(failed).toMatchObject({ status: { code: ERROR }, attributes: { 'error.type': String(refused.status), 'http.response.status_code': refused.status } });
    const invalid = only(await spansOf(bad.traceId), 'POST /v1/chat/completions');
    expect(invalid.status.code).toBe(0);
    expect(invalid.attributes['http.response.status_code']).toBe(400);
  });

  it('puts the trace id on the request\'s log lines, so logs and traces find each other', async () => {
    const caller = callerContext();
    const response = await s.call('/v1/models', { headers: { traceparent: caller.traceparent } });
    expect(response.status).toBe(200);
    const server = only(await spansOf(caller.traceId), 'GET /v1/models');
    const line = s.logs.find((l) => l.message === 'request' && l.request_id === response.headers.get('x-request-id'));
    expect(line).toMatchObject({ trace_id: caller.traceId, span_id: server.spanId, trace_flags: 1 });
  });

  it('never sends a prompt, an answer, an API key, a token or the collector\'s own credentials', async () => {
    const caller = callerContext();
    expect((await chat('mock-echo', caller)).status).toBe(200);
    expect((await chat('mock-echo', caller, { stream: true })).status).toBe(200);
    // A key pasted into a path by mistake: the span records the path, without the key.
    expect((await s.call(`/v1/keys/openai/${SENTINEL_KEY}`)).status).toBe(404);
    await s.app.tracer.flush();
    const sent = Buffer.concat(collector.bodies).toString('utf8');
    expect(collector.spans().length).toBeGreaterThan(20);
    for (const secret of [SENTINEL_KEY, 'SENTINEL-PROMPT-7f3c9e21', 'harbour plan', 'ANSWER-TEXT-3b1d', s.token, COLLECTOR_SECRET]) {
      expect(sent, `"${secret}" reached the collector`).not.toContain(secret);
    }
  });
});
