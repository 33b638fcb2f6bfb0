import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type CollectorStub } from './support/collectorStub.js';
import { startTracedServer, type TracedServer } from './support/tracedServer.js';

/** A collector that is down never breaks a request, is reported once, and is noticed when it comes back. */
let s: TracedServer | undefined;
let collector: CollectorStub | undefined;
afterEach(async () => {
  await s?.close();
  await collector?.close();
  s = undefined;
  collector = undefined;
});

/** A loopback port with nothing listening on it: a collector stub started and stopped. */
async function deadPort(): Promise<number> {
  const stub = await startCollector();
  await stub.close();
  return stub.port;
}

function chat(server: TracedServer): Promise<Response> {
  return server.call('/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'mock-fast', messages: [{ role: 'user', content: 'hi' }] }) });
}

const isOutageWarning = (line: Record<string, unknown>): boolean => line.level === 'warn' && String(line.message).startsWith('Traces cannot be sent');

describe('tracing when the collector is down', () => {
  it('answers every request, warns once without a stack, and reports the recovery', async () => {
    const port = await deadPort();
    // Exports start while requests are served; the short timeout bounds the exporter's retries.
    s = await startTracedServer(`http://127.0.0.1:${port}`, { OTEL_BSP_SCHEDULE_DELAY: '10', OTEL_EXPORTER_OTLP_TIMEOUT: '300' }, 'info');
    for (let i = 0; i < 5; i += 1) {
      const response = await chat(s);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toContain('hello from the fast mock');
      await s.app.tracer.flush();
    }
    const warnings = s.logs.filter(isOutageWarning);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ collector: `http://127.0.0.1:${port}`, reason: expect.stringContaining('ECONNREFUSED') as string });
    expect(JSON.stringify(s.logs)).not.toMatch(/\n\s+at |"stack"/);

    collector = await startCollector({ port });
    expect((await chat(s)).status).toBe(200);
    await s.app.tracer.flush();
    expect(collector.spans().map((span) => span.name)).toContain('chat mock-fast');
    const recovered = s.logs.find((line) => line.message === 'Traces reach the collector again.');
    expect(recovered).toMatchObject({ level: 'info' });
    expect(recovered?.dropped_spans).toBeGreaterThan(0);
    expect(s.logs.filter(isOutageWarning)).toHaveLength(1);
  });

  it('still closes the server and the app when the last spans cannot be delivered', async () => {
    s = await startTracedServer(`http://127.0.0.1:${await deadPort()}`, { OTEL_BSP_SCHEDULE_DELAY: '600000' });
    expect((await chat(s)).status).toBe(200);
    const closing = s;
    s = undefined;
    await closing.close();
    expect(closing.logs.filter(isOutageWarning)).toHaveLength(1);
  });
});
