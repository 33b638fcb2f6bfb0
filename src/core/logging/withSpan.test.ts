import { performance } from 'node:perf_hooks';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimitError } from '../errors/index.js';
import { Redactor } from '../redact/index.js';
import { createLogger } from './createLogger.js';
import type { LogContext } from './LogContext.js';
import { withSpan } from './withSpan.js';
import { CollectingStream } from './test-support/collect.js';

async function setup(): Promise<{ out: CollectingStream; logger: Logger; context: LogContext }> {
  const out = new CollectingStream();
  const handle = await createLogger({ redactor: new Redactor(), stream: out, config: { format: 'json', file: { enabled: false } } });
  return { out, logger: handle.logger, context: handle.context };
}

/** performance.now() answers these values in turn: start and end of a span. */
function clock(...values: number[]): void {
  const spy = vi.spyOn(performance, 'now');
  for (const value of values) spy.mockReturnValueOnce(value);
}

describe('withSpan', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('returns the result and logs the duration and an ok outcome with the given fields', async () => {
    const { out, logger } = await setup();
    clock(1000, 1012.3456);
    const result = await withSpan(logger, 'plan.segment', async () => 42, { command_chars: 31 });
    expect(result).toBe(42);
    expect(out.lines).toEqual([
      expect.objectContaining({ level: 'info', span: 'plan.segment', outcome: 'ok', duration_ms: 12.346, command_chars: 31, message: 'plan.segment ok' }),
    ]);
  });

  it('accepts a synchronous function', async () => {
    const { out, logger } = await setup();
    await expect(withSpan(logger, 'sync', () => 'x')).resolves.toBe('x');
    expect(out.lines[0]?.outcome).toBe('ok');
    expect(typeof out.lines[0]?.duration_ms).toBe('number');
  });

  it('rethrows the same error and logs the failure with its code at error level', async () => {
    const { out, logger } = await setup();
    clock(50, 80.5);
    const error = new RateLimitError({ message: 'Too many requests', provider: 'openai', retryAfterMs: 2000 });
    const thrown: unknown = await withSpan(logger, 'model.call', () => Promise.reject(error)).catch((e: unknown) => e);
    expect(thrown).toBe(error);
    const [line] = out.lines;
    expect(line).toMatchObject({ level: 'error', span: 'model.call', outcome: 'error', duration_ms: 30.5, message: 'model.call failed' });
    expect(line?.error).toMatchObject({ code: 'LA_PROVIDER_RATE_LIMITED', category: 'transient', type: 'RateLimitError' });
  });

  it('logs a thrown non-error as an error object too', async () => {
    const { out, logger } = await setup();
    await expect(
      withSpan(logger, 'odd', () => {
        throw 'a string';
      }),
    ).rejects.toBe('a string');
    expect(out.lines[0]?.error).toEqual({ type: 'NonError', kind: 'NonError', message: 'a string' });
  });

  it('with a context, runs fn in a child span so its lines share trace and span ids', async () => {
    const { out, logger, context } = await setup();
    await context.run({ request_id: 'req-1' }, () =>
      withSpan(
        logger,
        'outer',
        async () => {
          logger.info('in outer');
          await withSpan(logger, 'inner', () => logger.info('in inner'), {}, context);
        },
        {},
        context,
      ),
    );
    const byMessage = Object.fromEntries(out.lines.map((l) => [l.message, l]));
    const outer = byMessage['outer ok'];
    const inner = byMessage['inner ok'];
    expect(outer?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(outer?.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(outer?.parent_span_id).toBeUndefined();
    expect(byMessage['in outer']).toMatchObject({ trace_id: outer?.trace_id, span_id: outer?.span_id, request_id: 'req-1' });
    expect(inner).toMatchObject({ trace_id: outer?.trace_id, parent_span_id: outer?.span_id, request_id: 'req-1' });
    expect(inner?.span_id).not.toBe(outer?.span_id);
    expect(byMessage['in inner']?.span_id).toBe(inner?.span_id);
    expect(context.get()).toEqual({});
  });

  it('keeps a trace id that came with the request', async () => {
    const { out, logger, context } = await setup();
    const traceId = 'a'.repeat(32);
    await context.run({ trace_id: traceId }, () => withSpan(logger, 'work', () => undefined, {}, context));
    expect(out.lines[0]?.trace_id).toBe(traceId);
  });

  it('works with any pino logger', async () => {
    const out = new CollectingStream();
    await withSpan(pino({}, out), 'plain', () => 1);
    expect(out.lines[0]).toMatchObject({ span: 'plain', outcome: 'ok' });
  });
});
