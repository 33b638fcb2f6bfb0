import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { UserInputError } from '../../core/errors/index.js';
import { TOOL_ERROR_CODES, abortError, taskTimeout } from './toolErrors.js';

export interface EvaluateJsonataOptions {
  /** Wall-clock limit for the whole evaluation, worker start included. */
  timeoutMs: number;
  signal: AbortSignal;
  /** Heap limit of the evaluating worker, in MiB. Default 256. */
  maxHeapMb?: number;
  /** Longest sequence (array) an expression may build. Default 1,000,000. */
  maxSequence?: number;
  /** Deepest nesting of evaluation (recursion). Default 1,000. */
  maxDepth?: number;
}

/**
 * The worker's program, as CommonJS text (a `.ts` worker file would need a loader in tests and a
 * build step for the worker alone). It evaluates once, posts the result as JSON text, and ends.
 * JSONata's own guardrails (timeout, stack depth, sequence length) give a clean error for most
 * runaway expressions; the parent's `terminate()` covers what they cannot interrupt (a single
 * regular expression or built-in that never returns).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const jsonata = require(workerData.jsonataPath);
(async () => {
  try {
    const expression = jsonata(workerData.expr, { timeout: workerData.timeoutMs, stack: workerData.maxDepth, sequence: workerData.maxSequence });
    const value = await expression.evaluate(JSON.parse(workerData.scope));
    // Lambdas are objects holding their (circular) environment: like functions, they have no JSON form.
    const json = JSON.stringify(value, (key, v) => (typeof v === 'function' || (v !== null && typeof v === 'object' && (v._jsonata_lambda || v._jsonata_function)) ? undefined : v));
    parentPort.postMessage({ ok: true, json: json === undefined ? 'null' : json });
  } catch (error) {
    const e = error || {};
    parentPort.postMessage({ ok: false, code: typeof e.code === 'string' ? e.code : undefined, position: typeof e.position === 'number' ? e.position : undefined, message: String(e.message || e) });
  }
})();
`;

type WorkerReply = { ok: true; json: string } | { ok: false; code?: string; position?: number; message: string };

/**
 * Evaluates a JSONata expression over `input` with a hard time limit. JSONata has no way to stop
 * an evaluation from outside, so it runs in a worker thread with a memory cap, and the worker is
 * terminated at the deadline or on abort: the limit holds even for an expression stuck inside one
 * built-in call. The result is JSON (functions and `undefined` inside become `null` or disappear,
 * as JSON.stringify does; no result at all is `null`).
 */
export function evaluateJsonata(expr: string, input: unknown, options: EvaluateJsonataOptions): Promise<unknown> {
  if (options.signal.aborted) return Promise.reject(abortError(options.signal, 'The transform'));
  let scope: string;
  try {
    scope = JSON.stringify(input ?? null);
  } catch (error) {
    return Promise.reject(new UserInputError({ message: 'The transform\'s input cannot be turned into JSON.', cause: error }));
  }
  const jsonataPath = createRequire(import.meta.url).resolve('jsonata');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // The expression needs no environment; the worker gets none of LocalAgent's.
    env: {},
    workerData: { expr, scope, jsonataPath, timeoutMs: options.timeoutMs, maxDepth: options.maxDepth ?? 1000, maxSequence: options.maxSequence ?? 1_000_000 },
    resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 256 },
    stdout: true,
    stderr: true,
  });

  return new Promise((resolveValue, reject) => {
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(() => finish(() => reject(taskTimeout('The transform', options.timeoutMs, 'permanent'))), options.timeoutMs);
    const onAbort = (): void => finish(() => reject(abortError(options.signal, 'The transform')));
    options.signal.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (reply: WorkerReply) => {
      finish(() => {
        if (reply.ok) resolveValue(JSON.parse(reply.json) as unknown);
        // D1012 is JSONata's own deadline check firing: the same limit, reported the same way.
        else if (reply.code === 'D1012') reject(taskTimeout('The transform', options.timeoutMs, 'permanent'));
        else reject(expressionFailed(reply));
      });
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const heapMb = options.maxHeapMb ?? 256;
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      finish(() => reject(outOfMemory ? expressionFailed({ message: `it needed more than ${heapMb} MiB of memory` }, { heap_limit_mb: heapMb }) : expressionFailed({ message: error.message })));
    });
    worker.on('exit', () => finish(() => reject(expressionFailed({ message: 'the evaluation stopped without a result' }))));
  });
}

function expressionFailed(reply: { code?: string; position?: number; message: string }, extra: Record<string, unknown> = {}): UserInputError {
  const at = reply.position !== undefined ? ` (at character ${reply.position})` : '';
  return new UserInputError({
    code: TOOL_ERROR_CODES.transformFailed,
    category: 'permanent',
    message: `The JSONata expression failed${at}: ${reply.message}`,
    suggestion: 'Fix the expression; try it at https://try.jsonata.org against the task\'s inputs and outputs.',
    details: { ...(reply.code !== undefined ? { jsonata_code: reply.code } : {}), ...(reply.position !== undefined ? { position: reply.position } : {}), ...extra },
  });
}
