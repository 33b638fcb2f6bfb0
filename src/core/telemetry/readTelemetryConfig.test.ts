import { describe, expect, it } from 'vitest';
import { readTelemetryConfig, type TelemetrySettings } from './readTelemetryConfig.js';

function on(env: NodeJS.ProcessEnv): TelemetrySettings {
  const config = readTelemetryConfig(env);
  if (!config.enabled) throw new Error(`expected tracing on, got off: ${config.reason}`);
  return config;
}

describe('readTelemetryConfig', () => {
  it('is off unless an OTLP endpoint is set, and says why', () => {
    expect(readTelemetryConfig({})).toEqual({ enabled: false, reason: 'OTEL_EXPORTER_OTLP_ENDPOINT is not set' });
    expect(readTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }).enabled).toBe(false);
    expect(readTelemetryConfig({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }).enabled).toBe(false);
  });

  it('is off when OTEL_SDK_DISABLED is true or the exporter is none, endpoint or not', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    expect(readTelemetryConfig({ ...endpoint, OTEL_SDK_DISABLED: 'TRUE' })).toMatchObject({ enabled: false, reason: 'OTEL_SDK_DISABLED is true' });
    expect(readTelemetryConfig({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toMatchObject({ enabled: false, reason: 'OTEL_TRACES_EXPORTER is none' });
    expect(readTelemetryConfig({ ...endpoint, OTEL_SDK_DISABLED: 'false' }).enabled).toBe(true);
  });

  it('appends /v1/traces to the base endpoint, and takes the traces endpoint as it is', () => {
    expect(on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).endpoint).toBe('http://collector:4318/v1/traces');
    expect(on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com/otlp/' }).endpoint).toBe('https://otlp.example.com/otlp/v1/traces');
    expect(on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:9999/custom' }).endpoint).toBe('http://b:9999/custom');
  });

  it('refuses an endpoint that is not an http(s) URL without repeating it (it may hold credentials)', () => {
    const attempt = () => readTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://user:hunter2-secret@collector:4317' }); // secret-scan: allow (fake value for a test or benchmark)
    expect(attempt).toThrow(expect.objectContaining({ code: 'LA_CONFIG_INVALID', message: expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT') as string }));
    expect(attempt).not.toThrow(/hunter2/);
    expect(() => readTelemetryConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/);
  });

  it('defaults the service name to localagent; OTEL_SERVICE_NAME wins over the resource attributes', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(on(endpoint).serviceName).toBe('localagent');
    expect(on({ ...endpoint, OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-resource,deployment.environment=prod' })).toMatchObject({
      serviceName: 'from-resource',
      resourceAttributes: { 'deployment.environment': 'prod' },
    });
    expect(on({ ...endpoint, OTEL_SERVICE_NAME: 'agent-eu', OTEL_RESOURCE_ATTRIBUTES: 'service.name=other' }).serviceName).toBe('agent-eu');
  });

  it('reads headers as percent-encoded key=value pairs, the traces-specific ones winning', () => {
    const config = on({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc,x-tenant=a',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=b',
    });
    expect(config.headers).toEqual({ Authorization: 'Bearer abc', 'x-tenant': 'b' });
    expect(config.warnings).toEqual([]);
  });

  it('skips a malformed header entry with a warning that names its position, never its value', () => {
    const config = on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'good=1,s3cr3t-without-key,bad=%E0%A4%A' });
    expect(config.headers).toEqual({ good: '1' });
    expect(config.warnings).toEqual([
      'OTEL_EXPORTER_OTLP_HEADERS: entry 2 is not key=value (percent-encoded); skipped.',
      'OTEL_EXPORTER_OTLP_HEADERS: entry 3 is not key=value (percent-encoded); skipped.',
    ]);
    expect(config.warnings.join(' ')).not.toContain('s3cr3t');
  });

  it('reads the sampler and its ratio, falling back to parentbased_always_on with a warning', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(on(endpoint).sampler).toEqual({ name: 'parentbased_always_on', ratio: 1 });
    expect(on({ ...endpoint, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).sampler).toEqual({ name: 'parentbased_traceidratio', ratio: 0.25 });
    const unknown = on({ ...endpoint, OTEL_TRACES_SAMPLER: 'jaeger_remote' });
    expect(unknown.sampler.name).toBe('parentbased_always_on');
    expect(unknown.warnings[0]).toMatch(/OTEL_TRACES_SAMPLER: "jaeger_remote" is not supported/);
    const badRatio = on({ ...endpoint, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' });
    expect(badRatio.sampler).toEqual({ name: 'traceidratio', ratio: 1 });
    expect(badRatio.warnings).toHaveLength(1);
  });

  it('reads timeouts and batch settings, replacing bad numbers by defaults', () => {
    const config = on({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500',
      OTEL_BSP_EXPORT_TIMEOUT: 'soon',
    });
    expect(config.timeoutMs).toBe(2500);
    expect(config.batch).toEqual({ scheduledDelayMs: 100, maxQueueSize: 100, maxExportBatchSize: 100, exportTimeoutMs: 30_000 });
    expect(config.warnings).toHaveLength(2);
    expect(on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TIMEOUT: '2500', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '700' }).timeoutMs).toBe(700);
  });

  it('warns about protocols and exporters it does not speak, and keeps exporting OTLP/HTTP JSON', () => {
    const config = on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_TRACES_EXPORTER: 'otlp,console', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' });
    expect(config.compression).toBe('gzip');
    expect(config.warnings).toEqual([expect.stringMatching(/only otlp is supported; ignoring console/), expect.stringMatching(/"grpc" is not supported, so http\/json is used/)]);
  });
});
