import { ConfigurationError } from '../errors/index.js';

/** The samplers of the OpenTelemetry SDK environment specification that LocalAgent supports. */
export const SAMPLER_NAMES = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

/** How the batch span processor queues and sends spans (`OTEL_BSP_*`). */
export interface BatchSettings {
  /** Longest wait between two exports, in milliseconds. */
  scheduledDelayMs: number;
  /** Spans kept while waiting; more are dropped (never blocking the work that made them). */
  maxQueueSize: number;
  /** Most spans in one export request. */
  maxExportBatchSize: number;
  /** Longest one export may take, in milliseconds. */
  exportTimeoutMs: number;
}

/** Tracing is on: where spans go and how. */
export interface TelemetrySettings {
  enabled: true;
  /** The full OTLP/HTTP traces URL spans are POSTed to, e.g. `http://127.0.0.1:4318/v1/traces`. */
  endpoint: string;
  /** Sent with every export (`OTEL_EXPORTER_OTLP_HEADERS`): often a collector's credentials, so secret. */
  headers: Record<string, string>;
  /** `service.name` of every span: `OTEL_SERVICE_NAME`, else from `OTEL_RESOURCE_ATTRIBUTES`, else `localagent`. */
  serviceName: string;
  /** From `OTEL_RESOURCE_ATTRIBUTES`, without `service.name`. */
  resourceAttributes: Record<string, string>;
  sampler: { name: SamplerName; ratio: number };
  /** One export request, retries included, in milliseconds (`OTEL_EXPORTER_OTLP_TIMEOUT`). */
  timeoutMs: number;
  compression: 'gzip' | 'none';
  batch: BatchSettings;
  /** Values that were not understood and were replaced by their defaults; logged once at start. Never a header value. */
  warnings: string[];
}

/** Tracing is off, and why (for `config doctor`-style answers and the docs). */
export interface TelemetryOff {
  enabled: false;
  reason: string;
}

export type TelemetryConfig = TelemetrySettings | TelemetryOff;

const DEFAULT_SERVICE_NAME = 'localagent';
const DEFAULT_SAMPLER: SamplerName = 'parentbased_always_on';

/**
 * Reads tracing settings from the standard OpenTelemetry environment variables. Tracing is on only
 * when `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT` is set, and neither
 * `OTEL_SDK_DISABLED=true` nor `OTEL_TRACES_EXPORTER=none` says otherwise. An endpoint that is not
 * an http(s) URL is an error (tracing asked for cannot work); any other value that is not understood
 * falls back to its default with a warning, as the specification asks. Empty values count as unset.
 */
export function readTelemetryConfig(env: NodeJS.ProcessEnv): TelemetryConfig {
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  if (get('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return { enabled: false, reason: 'OTEL_SDK_DISABLED is true' };
  const exporters = (get('OTEL_TRACES_EXPORTER') ?? 'otlp').split(',').map((e) => e.trim().toLowerCase());
  if (exporters.includes('none')) return { enabled: false, reason: 'OTEL_TRACES_EXPORTER is none' };
  const specific = get('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = get('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (specific === undefined && base === undefined) return { enabled: false, reason: 'OTEL_EXPORTER_OTLP_ENDPOINT is not set' };

  const warnings: string[] = [];
  const unsupported = exporters.filter((e) => e !== 'otlp');
  if (unsupported.length > 0) warnings.push(`OTEL_TRACES_EXPORTER: only otlp is supported; ignoring ${unsupported.join(', ')}.`);
  const endpoint = specific !== undefined ? checkedUrl(specific, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') : tracesUrl(checkedUrl(base as string, 'OTEL_EXPORTER_OTLP_ENDPOINT'));

  const protocol = get('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? get('OTEL_EXPORTER_OTLP_PROTOCOL');
  if (protocol !== undefined && protocol !== 'http/json') {
    warnings.push(`OTEL_EXPORTER_OTLP_PROTOCOL: LocalAgent sends OTLP over HTTP with JSON bodies; "${protocol}" is not supported, so http/json is used (collectors take it on port 4318).`);
  }
  const compressionValue = (get('OTEL_EXPORTER_OTLP_TRACES_COMPRESSION') ?? get('OTEL_EXPORTER_OTLP_COMPRESSION') ?? 'none').toLowerCase();
  if (compressionValue !== 'gzip' && compressionValue !== 'none') warnings.push(`OTEL_EXPORTER_OTLP_COMPRESSION: "${compressionValue}" is not gzip or none; sending uncompressed.`);
  const compression = compressionValue === 'gzip' ? 'gzip' : 'none';

  const headers = {
    ...keyValueList(get('OTEL_EXPORTER_OTLP_HEADERS'), 'OTEL_EXPORTER_OTLP_HEADERS', warnings, { secret: true }),
    ...keyValueList(get('OTEL_EXPORTER_OTLP_TRACES_HEADERS'), 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', warnings, { secret: true }),
  };
  const { 'service.name': namedInResource, ...resourceAttributes } = keyValueList(get('OTEL_RESOURCE_ATTRIBUTES'), 'OTEL_RESOURCE_ATTRIBUTES', warnings, { secret: false });

  const number = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
    warnings.push(`${name}: "${raw}" is not a whole number from ${min} to ${max}; using ${fallback}.`);
    return fallback;
  };
  const timeoutMs = number('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', number('OTEL_EXPORTER_OTLP_TIMEOUT', 10_000, 1), 1);
  const maxQueueSize = number('OTEL_BSP_MAX_QUEUE_SIZE', 2048, 1);
  let maxExportBatchSize = number('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', Math.min(512, maxQueueSize), 1);
  if (maxExportBatchSize > maxQueueSize) {
    warnings.push(`OTEL_BSP_MAX_EXPORT_BATCH_SIZE: ${maxExportBatchSize} is larger than OTEL_BSP_MAX_QUEUE_SIZE (${maxQueueSize}); using ${maxQueueSize}.`);
    maxExportBatchSize = maxQueueSize;
  }
  const batch: BatchSettings = {
    scheduledDelayMs: number('OTEL_BSP_SCHEDULE_DELAY', 5000, 0),
    maxQueueSize,
    maxExportBatchSize,
    exportTimeoutMs: number('OTEL_BSP_EXPORT_TIMEOUT', 30_000, 1),
  };

  return {
    enabled: true,
    endpoint,
    headers,
    serviceName: get('OTEL_SERVICE_NAME') ?? namedInResource ?? DEFAULT_SERVICE_NAME,
    resourceAttributes,
    sampler: readSampler(get('OTEL_TRACES_SAMPLER'), get('OTEL_TRACES_SAMPLER_ARG'), warnings),
    timeoutMs,
    compression,
    batch,
    warnings,
  };
}

function checkedUrl(value: string, name: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    // The value is not repeated: it may carry credentials.
    throw new ConfigurationError({
      message: `${name} is not an http:// or https:// URL, so traces cannot be sent.`,
      suggestion: `Set it to the collector's OTLP/HTTP address, e.g. http://127.0.0.1:4318, or unset it to turn tracing off.`,
      details: { variable: name },
    });
  }
  return url.href;
}

/** `OTEL_EXPORTER_OTLP_ENDPOINT` is a base: the traces path is appended to whatever path it has. */
function tracesUrl(base: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/traces`;
  return url.href;
}

function readSampler(name: string | undefined, arg: string | undefined, warnings: string[]): { name: SamplerName; ratio: number } {
  let sampler: SamplerName = DEFAULT_SAMPLER;
  if (name !== undefined) {
    const lower = name.toLowerCase();
    if ((SAMPLER_NAMES as readonly string[]).includes(lower)) sampler = lower as SamplerName;
    else warnings.push(`OTEL_TRACES_SAMPLER: "${name}" is not supported (supported: ${SAMPLER_NAMES.join(', ')}); using ${DEFAULT_SAMPLER}.`);
  }
  let ratio = 1;
  if (arg !== undefined && sampler.endsWith('traceidratio')) {
    const value = Number(arg);
    if (Number.isFinite(value) && value >= 0 && value <= 1) ratio = value;
    else warnings.push(`OTEL_TRACES_SAMPLER_ARG: "${arg}" is not a ratio from 0 to 1; using 1.`);
  }
  return { name: sampler, ratio };
}

/**
 * `key1=value1,key2=value2` with percent-encoded values (the W3C Baggage format the specification
 * uses for headers and resource attributes). A malformed entry is skipped with a warning that names
 * its position, never its value, since header values are credentials.
 */
function keyValueList(raw: string | undefined, name: string, warnings: string[], options: { secret: boolean }): Record<string, string> {
  // No prototype: a key named __proto__ stays a plain entry.
  const result = Object.create(null) as Record<string, string>;
  if (raw === undefined) return result;
  raw.split(',').forEach((entry, index) => {
    if (entry.trim() === '') return;
    const eq = entry.indexOf('=');
    const key = eq > 0 ? entry.slice(0, eq).trim() : '';
    let value: string | undefined;
    try {
      value = eq > 0 ? decodeURIComponent(entry.slice(eq + 1).trim()) : undefined;
    } catch {
      value = undefined;
    }
    if (key === '' || value === undefined || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) {
      warnings.push(`${name}: entry ${index + 1} is not key=value (percent-encoded); skipped.`);
      return;
    }
    if (!options.secret && value === '') return;
    result[key] = value;
  });
  return result;
}
