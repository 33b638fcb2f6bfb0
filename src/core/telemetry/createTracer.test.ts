import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RecordingLogger } from '../resilience/test-support/RecordingLogger.js';
import { createTracer } from './createTracer.js';

const src = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

describe('createTracer', () => {
  it('is a no-op without an endpoint: inert spans, fn runs as it is, nothing to flush', async () => {
    const tracer = await createTracer({ env: {}, logger: new RecordingLogger() });
    expect(tracer.enabled).toBe(false);
    const span = tracer.startSpan('anything', { attributes: { a: 1 } });
    expect(span).toMatchObject({ recording: false, traceId: '', spanId: '' });
    expect(tracer.withSpan(span, () => 42)).toBe(42);
    await expect(tracer.flush()).resolves.toBeUndefined();
    await expect(tracer.shutdown()).resolves.toBeUndefined();
  });

  it('with an endpoint: records spans with W3C ids, children under the current span, and hides header values', async () => {
    const secrets: string[] = [];
    const logger = new RecordingLogger();
    const tracer = await createTracer({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://user:pa55word-xyz@127.0.0.1:9', OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=hdr-secret-value-1', OTEL_TRACES_SAMPLER: 'nonsense' }, // secret-scan: allow (fake value for a test or benchmark)
      logger,
      onSecret: (value) => secrets.push(value),
    });
    expect(tracer.enabled).toBe(true);
    expect(secrets).toEqual(['hdr-secret-value-1', 'pa55word-xyz']);
    expect(logger.lines.filter((e) => e.level === 'warn').map((e) => e.msg)).toEqual([expect.stringMatching(/^OTEL_TRACES_SAMPLER: "nonsense" is not supported/)]);
    const parent = tracer.startSpan('parent');
    expect(parent.recording).toBe(true);
    expect(parent.traceId).toMatch(/^[0-9a-f]{32}$/);
    const child = await tracer.withSpan(parent, async () => {
      await Promise.resolve();
      return tracer.startSpan('child');
    });
    expect(child.traceId).toBe(parent.traceId);
    expect(tracer.startSpan('root', { parent: null }).traceId).not.toBe(parent.traceId);
    const remote = tracer.startSpan('server', { traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01` });
    expect(remote.traceId).toBe('ab'.repeat(16));
    const unsampled = tracer.startSpan('server', { traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-00` });
    expect(unsampled.recording).toBe(false);
    // Nothing listens on port 9: shutdown gives up within its bound instead of hanging.
    for (const span of [parent, child, remote]) span.end();
    await tracer.shutdown();
  });

  it('refuses an endpoint that is not an http(s) URL', async () => {
    await expect(createTracer({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' }, logger: new RecordingLogger() })).rejects.toMatchObject({ code: 'LA_CONFIG_INVALID' });
  });

  it('keeps the OpenTelemetry packages inside core/telemetry/otel, which only createTracer loads', () => {
    const importers = sourceFiles(src)
      .filter((file) => /from '@opentelemetry\//.test(readFileSync(file, 'utf8')))
      .map((file) => relative(src, file).split('\\').join('/'));
    expect(importers.filter((file) => !file.startsWith('core/telemetry/otel/'))).toEqual([]);
    const loaders = sourceFiles(src).filter((file) => readFileSync(file, 'utf8').includes("'./otel/"));
    expect(loaders.map((file) => relative(src, file).split('\\').join('/'))).toEqual(['core/telemetry/createTracer.ts']);
  });
});
