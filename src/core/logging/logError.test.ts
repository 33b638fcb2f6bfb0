import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { InternalError, PolicyDeniedError, UserInputError } from '../errors/index.js';
import { Metrics } from '../metrics/index.js';
import { Redactor } from '../redact/index.js';
import { createLogger } from './createLogger.js';
import { ERRORS_METRIC, logError } from './logError.js';
import { CollectingStream } from './test-support/collect.js';

async function setup(): Promise<{ out: CollectingStream; logger: Logger }> {
  const out = new CollectingStream();
  const handle = await createLogger({ redactor: new Redactor(), stream: out, config: { format: 'json', file: { enabled: false } } });
  return { out, logger: handle.logger };
}

describe('logError', () => {
  it('logs code, category, message and suggestion, and counts the error by code and category', async () => {
    const { out, logger } = await setup();
    const metrics = new Metrics();
    const denied = new PolicyDeniedError({ message: 'Writing outside the workspace is not allowed.' });
    expect(logError(logger, denied, { metrics })).toBe(denied);
    logError(logger, denied, { metrics });
    logError(logger, new UserInputError({ message: 'Bad flag' }), { metrics, level: 'warn', message: 'Rejected input', fields: { flag: '--x' } });

    expect(out.lines[0]).toMatchObject({
      level: 'error',
      message: 'Writing outside the workspace is not allowed.',
      error: { code: 'LA_POLICY_DENIED', category: 'permanent', suggestion: PolicyDeniedError.defaultSuggestion, type: 'PolicyDeniedError' },
    });
    expect(out.lines[2]).toMatchObject({ level: 'warn', message: 'Rejected input', flag: '--x', error: { code: 'LA_INPUT_INVALID', category: 'user' } });
    expect(await metrics.valueOf(ERRORS_METRIC, { code: 'LA_POLICY_DENIED', category: 'permanent' })).toBe(2);
    expect(await metrics.valueOf(ERRORS_METRIC, { code: 'LA_INPUT_INVALID', category: 'user' })).toBe(1);
    expect(await metrics.render()).toContain('localagent_errors_total{code="LA_POLICY_DENIED",category="permanent"} 2');
  });

  it('wraps anything else as LA_INTERNAL and keeps the original as the cause', async () => {
    const { out, logger } = await setup();
    const metrics = new Metrics();
    const wrapped = logError(logger, new TypeError('x is not a function'), { metrics });
    expect(wrapped).toBeInstanceOf(InternalError);
    expect(out.lines[0]?.error).toMatchObject({
      code: 'LA_INTERNAL',
      category: 'system',
      message: 'Unexpected error: x is not a function',
      cause: { type: 'TypeError', message: 'x is not a function' },
    });
    logError(logger, 'thrown text', { metrics });
    expect(await metrics.valueOf(ERRORS_METRIC, { code: 'LA_INTERNAL', category: 'system' })).toBe(2);
  });

  it('works without metrics', async () => {
    const { out, logger } = await setup();
    logError(logger, new Error('e'), { level: 'fatal' });
    expect(out.lines[0]?.level).toBe('fatal');
  });
});
