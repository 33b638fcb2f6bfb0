// Overhead of Resilience.execute (retry + per-key circuit breaker, happy path) against calling the
// same function directly, measured in the same run with baseline and subject interleaved round by
// round so machine load affects both alike.
//
// (a) a ~1 ms operation — target: < 5 % slower. The operation busy-waits 1 ms on performance.now()
//     inside an async function instead of using setTimeout(1): timers are rounded up, coalesced and
//     delayed by the event loop (1.0–1.5 ms, varying run to run), so their noise would swamp a
//     difference of a few microseconds. A busy-wait is exact to well under a microsecond.
// (b) a no-op async call — no target; reports the absolute cost in µs per call, which is what the
//     wrapper adds to anything.
//
// Needs a build: npx tsc -p tsconfig.build.json (npm run bench does it).
import { fileURLToPath } from 'node:url';
import { Resilience } from '../dist/core/resilience/index.js';
import { median, quantile, round } from './stats.mjs';

const noop = async () => undefined;

async function oneMs() {
  const end = performance.now() + 1;
  while (performance.now() < end) {
    // Spin: see the header for why not setTimeout.
  }
}

/** Mean ns per call of `call` over `n` sequential awaited calls. */
async function timeLoop(call, n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) await call();
  return Number(process.hrtime.bigint() - start) / n;
}

/** Interleaved rounds; returns per-round mean ns per call for each side. */
async function compare(direct, wrapped, { rounds, perRound, warmup }) {
  await timeLoop(direct, warmup);
  await timeLoop(wrapped, warmup);
  const baseline = [];
  const subject = [];
  for (let r = 0; r < rounds; r += 1) {
    // Alternate which side goes first so neither always runs on a warmer or cooler machine.
    if (r % 2 === 0) {
      baseline.push(await timeLoop(direct, perRound));
      subject.push(await timeLoop(wrapped, perRound));
    } else {
      subject.push(await timeLoop(wrapped, perRound));
      baseline.push(await timeLoop(direct, perRound));
    }
  }
  return { baseline, subject };
}

export async function run({ rounds = 15, oneMsPerRound = 150, noopPerRound = 50_000 } = {}) {
  // Default settings (retry 3 attempts, breaker threshold 5): nothing fails, so this is the cost of
  // the machinery on every successful call — policy layers, the breaker check, the key lookup.
  const resilience = new Resilience();
  const wrap = (fn) => () => resilience.execute('bench-provider', fn);

  const slow = await compare(oneMs, wrap(oneMs), { rounds, perRound: oneMsPerRound, warmup: 200 });
  const fast = await compare(noop, wrap(noop), { rounds, perRound: noopPerRound, warmup: 100_000 });

  const slowBase = median(slow.baseline);
  const slowSubject = median(slow.subject);
  const fastBase = median(fast.baseline);
  const fastSubject = median(fast.subject);
  const ratio = slowSubject / slowBase;
  const target = 1.05;
  const us = (ns) => round(ns / 1000, 3);

  return {
    name: 'resilience',
    unit: 'µs per call (median of round means), 1 ms operation',
    baseline: us(slowBase),
    subject: us(slowSubject),
    ratio: round(ratio, 4),
    target: `1 ms call wrapped in retry + breaker < ${target}× direct`,
    pass: ratio < target,
    details: {
      one_ms_overhead_us: us(slowSubject - slowBase),
      one_ms_overhead_pct: round((ratio - 1) * 100, 2),
      noop_direct_us: us(fastBase),
      noop_wrapped_us: us(fastSubject),
      noop_overhead_us: us(fastSubject - fastBase),
      noop_wrapped_p90_us: us(quantile(fast.subject, 0.9)),
      noop_ratio: round(fastSubject / fastBase, 2),
      rounds,
      calls_per_round: { one_ms: oneMsPerRound, noop: noopPerRound },
      method: 'interleaved rounds of sequential awaited calls; 1 ms op is a performance.now() busy-wait',
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
