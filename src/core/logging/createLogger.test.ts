import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError, LocalAgentError, ProviderError } from '../errors/index.js';
import { Metrics } from '../metrics/index.js';
import type { HomePaths } from '../paths/index.js';
import { Redactor } from '../redact/index.js';
import { createLogger, type CreateLoggerOptions, type LoggerHandle } from './createLogger.js';
import { LogContext } from './LogContext.js';
import type { LogConfigInput } from './logConfigSchema.js';
import { CollectingStream, logFiles, readLogs, tempHome } from './test-support/collect.js';

const noFile: LogConfigInput = { format: 'json', file: { enabled: false } };

describe('createLogger', () => {
  let home: HomePaths;
  let cleanup: () => Promise<void>;
  const handles: LoggerHandle[] = [];

  beforeEach(async () => {
    ({ home, cleanup } = await tempHome());
  });
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.close()));
    await cleanup();
  });

  async function make(config: LogConfigInput = noFile, extra: Partial<CreateLoggerOptions> = {}): Promise<{ handle: LoggerHandle; out: CollectingStream }> {
    const out = extra.stream instanceof CollectingStream ? extra.stream : new CollectingStream();
    const handle = await createLogger({ redactor: new Redactor(), home, stream: out, config, ...extra });
    handles.push(handle);
    return { handle, out };
  }

  describe('line shape', () => {
    it('writes one JSON object per line with the fields ELK and Datadog index as they are', async () => {
      const { handle, out } = await make();
      handle.logger.info({ task_id: 't1' }, 'task finished');
      expect(out.raw).toHaveLength(1);
      expect(out.raw[0]).toMatch(/\n$/);
      const [line] = out.lines;
      expect(Object.keys(line ?? {})).toEqual(['level', '@timestamp', 'service', 'pid', 'hostname', 'task_id', 'message']);
      expect(line).toMatchObject({ level: 'info', service: 'localagent', pid: process.pid, task_id: 't1', message: 'task finished' });
      expect(line?.['@timestamp']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(Math.abs(Date.parse(String(line?.['@timestamp'])) - Date.now())).toBeLessThan(60_000);
    });

    it('names the service as configured', async () => {
      const { handle, out } = await make({ ...noFile, service: 'localagent-gateway' });
      handle.logger.info('up');
      expect(out.lines[0]?.service).toBe('localagent-gateway');
    });

    it('writes levels as words and drops lines below the configured level', async () => {
      const { handle, out } = await make({ ...noFile, level: 'warn' });
      const { logger } = handle;
      logger.trace('t');
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
      logger.fatal('f');
      expect(out.lines.map((l) => [l.level, l.message])).toEqual([
        ['warn', 'w'],
        ['error', 'e'],
        ['fatal', 'f'],
      ]);
    });

    it('writes every level from trace up when asked, and nothing when silent', async () => {
      const { handle, out } = await make({ ...noFile, level: 'trace' });
      for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) handle.logger[level](level);
      expect(out.lines.map((l) => l.level)).toEqual(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
      const silent = await make({ ...noFile, level: 'silent' });
      silent.handle.logger.fatal('nothing');
      expect(silent.out.raw).toEqual([]);
    });

    it('writes errors as { type, kind, code, category, message, suggestion }, the stack only at debug or when configured', async () => {
      const error = new ProviderError({ message: 'The provider answered 500', provider: 'openai', status: 500 });
      const info = await make({ ...noFile, level: 'info' });
      info.handle.logger.error(error);
      const [line] = info.out.lines;
      expect(line?.message).toBe('The provider answered 500');
      expect(line?.error).toEqual({
        type: 'ProviderError',
        kind: 'ProviderError',
        code: 'LA_PROVIDER_ERROR',
        category: 'permanent',
        message: 'The provider answered 500',
        suggestion: ProviderError.defaultSuggestion,
        details: { provider: 'openai', status: 500 },
      });

      const debug = await make({ ...noFile, level: 'debug' });
      debug.handle.logger.error({ err: error }, 'call failed');
      expect((debug.out.lines[0]?.error as { stack?: string }).stack).toContain('ProviderError: The provider answered 500');

      const always = await make({ ...noFile, error_stack: 'always' });
      always.handle.logger.warn(error);
      expect((always.out.lines[0]?.error as { stack?: string }).stack).toBeDefined();

      const never = await make({ ...noFile, level: 'trace', error_stack: 'never' });
      never.handle.logger.warn(error);
      expect((never.out.lines[0]?.error as { stack?: string }).stack).toBeUndefined();
    });

    it('redacts child-logger bindings and message prefixes', async () => {
      const { handle, out } = await make();
      const child = handle.logger.child({ component: 'keys', token: 'abc', key_hint: 'sk-proj-abcdefghijklmnopqrstuvwx' }, { msgPrefix: '[Bearer abcdefghijklmn] ' });
      child.child({ password: 'p' }).info('loaded');
      child.setBindings({ secret: 's' });
      child.info('again');
      expect(out.text).not.toMatch(/abcdefghijklm|"abc"|"p"|"s"/);
      expect(out.lines[0]).toMatchObject({ component: 'keys', token: '[REDACTED]', password: '[REDACTED]', message: '[[REDACTED]] loaded' });
      expect(out.lines[1]).toMatchObject({ secret: '[REDACTED]' });
    });
  });

  describe('format', () => {
    it('is pretty on a terminal and JSON otherwise when auto', async () => {
      const tty = await make({ file: { enabled: false } }, { stream: new CollectingStream(true) });
      expect(tty.handle.format).toBe('pretty');
      tty.handle.logger.info({ run_id: 'r1' }, 'hello');
      expect(tty.out.text).toMatch(/INFO.*hello/);
      expect(() => JSON.parse(tty.out.raw[0] ?? '')).toThrow();

      const piped = await make({ file: { enabled: false } });
      expect(piped.handle.format).toBe('json');
      const forced = await make({ format: 'pretty', file: { enabled: false } });
      expect(forced.handle.format).toBe('pretty');
      const overridden = await make({ file: { enabled: false } }, { isTTY: true });
      expect(overridden.handle.format).toBe('pretty');
    });

    it('can have no console at all', async () => {
      const handle = await createLogger({ redactor: new Redactor(), home, stream: false, config: { file: { enabled: true } } });
      handles.push(handle);
      handle.logger.info('only in the file');
      await handle.flush();
      expect(handle.format).toBe('off');
      expect(await readLogs(home.logs)).toContain('only in the file');
    });
  });

  describe('context', () => {
    it('puts the context fields on every line, through awaits, into child loggers', async () => {
      const { handle, out } = await make();
      const { logger, context } = handle;
      logger.info('before');
      await context.run({ request_id: 'req-1', run_id: 'run-1' }, async () => {
        logger.info('start');
        await sleep(2);
        logger.child({ component: 'runner' }).info({ step: 1 }, 'step');
        await context.run({ span_id: 'span-1' }, async () => {
          await sleep(1);
          logger.warn('inner');
        });
      });
      logger.info('after');
      const lines = out.lines.map((l) => ({ m: l.message, request_id: l.request_id, run_id: l.run_id, span_id: l.span_id }));
      expect(lines).toEqual([
        { m: 'before', request_id: undefined, run_id: undefined, span_id: undefined },
        { m: 'start', request_id: 'req-1', run_id: 'run-1', span_id: undefined },
        { m: 'step', request_id: 'req-1', run_id: 'run-1', span_id: undefined },
        { m: 'inner', request_id: 'req-1', run_id: 'run-1', span_id: 'span-1' },
        { m: 'after', request_id: undefined, run_id: undefined, span_id: undefined },
      ]);
      expect(out.lines[2]).toMatchObject({ component: 'runner', step: 1 });
    });

    it('never mixes the fields of concurrent requests', async () => {
      const { handle, out } = await make();
      const { logger, context } = handle;
      const request = (id: string): Promise<void> =>
        context.run({ request_id: id }, async () => {
          for (let i = 0; i < 5; i++) {
            await sleep(Math.floor(Math.random() * 3));
            logger.info({ i, expected: id }, 'working');
          }
        });
      await Promise.all(['a', 'b', 'c', 'd'].map(request));
      expect(out.lines).toHaveLength(20);
      for (const line of out.lines) expect(line.request_id).toBe(line.expected);
    });

    it('lets a field given to the call win, without writing the name twice', async () => {
      const { handle, out } = await make();
      handle.context.run({ request_id: 'from-context', run_id: 'r' }, () => handle.logger.info({ request_id: 'explicit' }, 'm'));
      expect(out.raw[0]?.match(/"request_id"/g)).toHaveLength(1);
      expect(out.lines[0]).toMatchObject({ request_id: 'explicit', run_id: 'r' });
    });

    it('uses the app context it is given, and redacts secret context fields', async () => {
      const context = new LogContext();
      const { handle, out } = await make(noFile, { context });
      expect(handle.context).toBe(context);
      context.run({ request_id: 'r', token: 'abc' }, () => handle.logger.info('m'));
      expect(out.lines[0]).toMatchObject({ request_id: 'r', token: '[REDACTED]' });
    });
  });

  describe('files', () => {
    it('writes the same lines to <home>/logs, private, and flushes on demand', async () => {
      const { handle, out } = await make({ format: 'json' });
      handle.logger.info({ n: 1 }, 'to both');
      await handle.flush();
      expect(handle.file?.startsWith(home.logs)).toBe(true);
      const fileText = await readLogs(home.logs);
      expect(fileText).toBe(out.text);
      if (process.platform !== 'win32') {
        expect((await stat(home.logs)).mode & 0o777).toBe(0o700);
        expect((await stat(handle.file ?? '')).mode & 0o777).toBe(0o600);
      }
    });

    it('resolves a relative log.file.dir against the home, and takes an absolute one as is', async () => {
      const relative = await make({ format: 'json', file: { dir: 'custom-logs' } });
      expect(relative.handle.file?.startsWith(join(home.root, 'custom-logs'))).toBe(true);
      const absolute = await createLogger({ redactor: new Redactor(), stream: new CollectingStream(), config: { file: { dir: join(home.root, 'abs') } } });
      handles.push(absolute);
      expect(absolute.file?.startsWith(join(home.root, 'abs'))).toBe(true);
    });

    it('rotates through the logger too, keeping at most keep + 1 files', async () => {
      const { handle } = await make({ format: 'json', file: { max_size: '2k', keep: 2 } }, { stream: false });
      for (let i = 0; i < 300; i++) {
        handle.logger.info({ i, filler: 'y'.repeat(60) }, 'filling');
        if (i % 30 === 29) await handle.flush();
      }
      await handle.flush();
      // A roll-over may still be finishing (new file open, old ones not yet pruned).
      await vi.waitFor(async () => {
        const files = await logFiles(home.logs);
        expect(files.length).toBeGreaterThan(1);
        expect(files.length).toBeLessThanOrEqual(3);
      });
    });

    it('reports a failing log file once on the console and keeps logging', async () => {
      const { handle, out } = await make({ format: 'json', file: { max_size: '1k' } });
      await rm(home.logs, { recursive: true, force: true });
      for (let i = 0; i < 60; i++) handle.logger.info({ i, filler: 'f'.repeat(60) }, 'line');
      await vi.waitFor(() => expect(out.text).toContain('Writing the log file failed'));
      for (let i = 0; i < 60; i++) handle.logger.info({ i, filler: 'f'.repeat(60) }, 'more');
      await sleep(20);
      expect(out.lines.filter((l) => l.message === 'Writing the log file failed; later file errors are not reported.')).toHaveLength(1);
      expect(out.lines.at(-1)?.message).toBe('more');
    });

    it('stops writing the file after close; the console goes on', async () => {
      const { handle, out } = await make({ format: 'json' });
      handle.logger.info('first');
      await handle.close();
      handle.logger.info('second');
      await handle.close();
      expect(await readLogs(home.logs)).not.toContain('second');
      expect(out.lines.map((l) => l.message)).toEqual(['first', 'second']);
    });
  });

  describe('handle helpers', () => {
    it('span and logError are bound to the logger, context and metrics', async () => {
      const metrics = new Metrics();
      const { handle, out } = await make(noFile, { metrics });
      await handle.context.run({ request_id: 'req' }, () => handle.span('load', () => 'done'));
      expect(out.lines[0]).toMatchObject({ span: 'load', outcome: 'ok', request_id: 'req' });
      expect(out.lines[0]?.span_id).toMatch(/^[0-9a-f]{16}$/);
      const returned = handle.logError(new LocalAgentError({ code: 'LA_X', message: 'x' }), { level: 'warn' });
      expect(returned.code).toBe('LA_X');
      expect(await metrics.valueOf('localagent_errors_total', { code: 'LA_X', category: 'system' })).toBe(1);
    });
  });

  describe('configuration errors', () => {
    it('rejects an invalid section with the setting named', async () => {
      const error: unknown = await createLogger({ redactor: new Redactor(), config: { level: 'loud' } as unknown as LogConfigInput }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toContain('log.level');
    });

    it('needs a home or an absolute folder when file logging is on', async () => {
      await expect(createLogger({ redactor: new Redactor(), stream: new CollectingStream() })).rejects.toBeInstanceOf(ConfigurationError);
    });
  });

  describe('sentinel: a planted key never reaches the console or a file', () => {
    it.each(['json', 'pretty'] as const)('console format %s', async (format) => {
      const sentinel = `sk-proj-SENTINEL${randomBytes(12).toString('hex')}`;
      const registered = `plain-${randomBytes(8).toString('hex')}`;
      const redactor = new Redactor();
      redactor.addSecret(registered);
      const out = new CollectingStream();
      const handle = await createLogger({ redactor, home, stream: out, config: { level: 'trace', format, error_stack: 'always', file: { max_size: '4k', keep: 50 } } });
      handles.push(handle);
      const { logger, context } = handle;

      await context.run({ request_id: 'req-sentinel', note: `ctx ${sentinel}` }, async () => {
        // In a nested object field, and under a secret field name.
        logger.info({ request: { body: { messages: [{ content: `my key is ${sentinel}` }] } } }, 'nested');
        logger.info({ provider: { config: { apiKey: sentinel, api_key: registered } } }, 'by field name');
        // In a header, as providers receive it.
        logger.debug({ headers: { authorization: `Bearer ${sentinel}`, 'x-api-key': sentinel, accept: 'application/json' } }, 'request headers');
        logger.debug({ raw: `Authorization: Bearer ${sentinel}` }, 'raw header line');
        // In the message string itself, and as a format argument.
        logger.warn(`calling with ${sentinel}`);
        logger.warn('calling with %s and %o', sentinel, { token: sentinel, registered });
        // In an error message, its cause chain, its stack, and a LocalAgentError's details.
        const cause = new Error(`upstream rejected ${sentinel}`);
        const error = new ProviderError({ message: `Request with ${sentinel} failed`, cause, details: { key: sentinel, url: `https://x.test/?k=${sentinel}` } });
        logger.error(error);
        logger.error({ err: new Error('outer', { cause: new Error(`deep ${registered}`, { cause: `string cause ${sentinel}` }) }) }, 'wrapped');
        handle.logError(new Error(`plain error ${sentinel}`));
        // From a child logger's bindings and a span's failure.
        logger.child({ token: sentinel, label: `label ${sentinel}` }).info('child');
        await handle.span('call', () => Promise.reject(new Error(`span failed ${sentinel}`))).catch(() => undefined);
        // Enough lines to roll the file over a few times.
        for (let i = 0; i < 40; i++) logger.info({ i, padding: 'z'.repeat(100), secret: sentinel }, `bulk ${sentinel}`);
      });
      // Rotated files count too: wait for at least one roll-over, then for everything to land.
      await vi.waitFor(async () => {
        await handle.flush();
        expect((await logFiles(home.logs)).length).toBeGreaterThan(1);
      });
      await handle.close();

      const consoleText = out.text;
      const fileText = await readLogs(home.logs);
      expect(consoleText.length).toBeGreaterThan(1000);
      expect(fileText).toContain('[REDACTED]');
      for (const text of [consoleText, fileText]) {
        expect(text).not.toContain('SENTINEL');
        expect(text).not.toContain(sentinel);
        expect(text).not.toContain(registered);
      }
      // The lines are still useful: messages and codes survive redaction.
      expect(fileText).toContain('LA_PROVIDER_ERROR');
      expect(fileText).toContain('calling with [REDACTED]');
    });
  });
});
