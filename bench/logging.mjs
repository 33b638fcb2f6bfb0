// Logging overhead: LocalAgent's logger (redaction, context fields, ELK/Datadog field names)
// against plain pino writing the same message shapes to the same kind of destination, measured
// in the same run. Build first: `npx tsc -p tsconfig.build.json`, then `node bench/logging.mjs`.
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { hostname } from 'node:os';
import { createIsoTimestamp, createLogger } from '../dist/core/logging/index.js';
import { Redactor } from '../dist/core/redact/index.js';

const TARGET = 1.1; // at most 10% more time per log call than plain pino
const OPS_PER_ROUND = 20_000;
const ROUNDS = 15;
const WARMUP_ROUNDS = 3;

/** Both sides write to /dev/null through SonicBoom, batched like the log file (4 KiB writes). */
function devNull() {
  return pino.destination({ dest: '/dev/null', minLength: 4096, sync: true });
}

const nested = {
  provider: 'openai',
  model: 'gpt-4o-mini',
  req: { method: 'POST', url: '/v1/chat/completions', headers: { 'content-type': 'application/json', 'x-request-id': 'req_7f3a9c' } },
  usage: { prompt_tokens: 120, completion_tokens: 48 },
};
const flat = { task_id: 'summarise', attempt: 2, ok: true };

/** One "op": the shapes a run writes — a bare message, a flat object, a nested object, a filtered debug line. */
function op(log) {
  log.info('run started');
  log.info(flat, 'task finished');
  log.info(nested, 'model call finished');
  log.debug('cache lookup skipped');
}

function timeRound(fn, around = (inner) => inner()) {
  return around(() => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < OPS_PER_ROUND; i++) fn();
    return Number(process.hrtime.bigint() - start) / 1e9;
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Alternates the two sides round by round so drift (JIT, heat, GC) hits both alike. `around`
 * wraps each subject round (to run it inside a request's context, as a request's lines are).
 */
function compare(baselineFn, subjectFn, around) {
  const times = { baseline: [], subject: [] };
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    const order = round % 2 === 0 ? ['baseline', 'subject'] : ['subject', 'baseline'];
    for (const side of order) {
      const seconds = side === 'baseline' ? timeRound(baselineFn) : timeRound(subjectFn, around);
      if (round >= WARMUP_ROUNDS) times[side].push(seconds);
    }
  }
  const baseline = Math.round(OPS_PER_ROUND / median(times.baseline));
  const subject = Math.round(OPS_PER_ROUND / median(times.subject));
  return { baseline, subject, ratio: Number((baseline / subject).toFixed(3)) };
}

/** pino writing the same line shape as LocalAgent's logger: ISO `@timestamp`, level words, `message`, `service`. */
function shapedOptions() {
  return {
    messageKey: 'message',
    errorKey: 'error',
    base: { service: 'localagent', pid: process.pid, hostname: hostname() },
    timestamp: createIsoTimestamp(),
    formatters: { level: (label) => ({ level: label }) },
  };
}

/** The same, plus pino's own path-based redaction for the usual secret fields (one and two levels deep). */
function shapedRedactOptions() {
  const names = ['apiKey', 'api_key', 'password', 'token', 'secret', 'authorization', '"x-api-key"'];
  const paths = names.flatMap((n) => [n, `*.${n}`, `*.*.${n}`, `*.*.*.${n}`]);
  return { ...shapedOptions(), redact: { paths, censor: '[REDACTED]' } };
}

async function scenario(redactor) {
  // One API key registered, as after the keys service has loaded a provider key.
  redactor.addSecret('k3y-that-does-not-look-like-one-4f9a');
  const handle = await createLogger({
    redactor,
    stream: devNull(),
    config: { level: 'info', format: 'json', file: { enabled: false } },
  });
  const plain = pino(devNull());
  const bare = compare(() => op(plain), () => op(handle.logger));
  // With request/run ids: pino's own way is a child logger per request; ours is the context.
  const plainChild = plain.child({ request_id: 'req_7f3a9c', run_id: 'run_01HZX' });
  const inRequest = (inner) => handle.context.run({ request_id: 'req_7f3a9c', run_id: 'run_01HZX' }, inner);
  const contextual = compare(() => op(plainChild), () => op(handle.logger), inRequest);
  const shaped = pino(shapedOptions(), devNull());
  const shapedRedact = pino(shapedRedactOptions(), devNull());
  const vsSameShape = compare(() => op(shaped), () => op(handle.logger));
  const vsPinoRedact = compare(() => op(shapedRedact), () => op(handle.logger));
  await handle.close();
  return { bare, contextual, vsSameShape, vsPinoRedact };
}

export async function run() {
  const result = await scenario(new Redactor());
  // Headline: against pino as it comes (epoch time, numeric levels, no redaction): the strictest reading.
  const baseline = Math.round((result.bare.baseline + result.contextual.baseline) / 2);
  const subject = Math.round((result.bare.subject + result.contextual.subject) / 2);
  const ratio = Number((baseline / subject).toFixed(3));
  return {
    name: 'logging',
    unit: 'ops/s (one op = 4 log calls), median of alternating rounds',
    baseline,
    subject,
    ratio,
    target: TARGET,
    pass: ratio <= TARGET,
    details: {
      overhead_pct_vs_default_pino: Number(((ratio - 1) * 100).toFixed(1)),
      overhead_pct_vs_same_line_shape: Number(((result.vsSameShape.ratio - 1) * 100).toFixed(1)),
      overhead_pct_vs_pino_redact_paths: Number(((result.vsPinoRedact.ratio - 1) * 100).toFixed(1)),
      scenarios: result,
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await run();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
