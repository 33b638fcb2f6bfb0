// Key store latency, file backend (the encrypted vault):
//
// (a) unlock — the first vault access in a process: read vault.json, derive the key-encryption key
//     with scrypt at the DEFAULT cost (N=2^17, r=8, p=1, 128 MiB), unwrap the data key, check the
//     file MAC. Deliberately slow; reported in ms, no target.
// (b) retrieval after unlock — every later get(): read vault.json, parse and check its structure,
//     check the file MAC, AES-256-GCM decrypt the record, queue the audit entry. Target: p99 ≤ 1 ms.
//     Baseline, same run: read and JSON.parse a plain file of the same size holding the key in the
//     clear, and copy it into a Buffer — what retrieval would cost with no protection at all.
//     Baseline and subject run in interleaved rounds (alternating which goes first) so machine load
//     affects both alike; percentiles are over every single call.
//
// Retrieval audit entries are written in the background in batches (that is how the store works),
// so their I/O competes with the measured calls, as it would in real use.
//
// Needs a build: npx tsc -p tsconfig.build.json (npm run bench does it).
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKeyStore } from '../dist/keys/index.js';
import { AuditLog } from '../dist/security/audit/index.js';
import { median, quantile, round } from './stats.mjs';

const PASSWORD = 'benchmark master password';
const KEY = `sk-proj-${'Ab3dEf6hIj9kLm2nOp5qRs8t'.repeat(6)}`;
const PROVIDERS = ['openai', 'anthropic', 'gemini', 'openrouter', 'groq', 'mistral'];

const nowNs = () => process.hrtime.bigint();
const ms = (ns) => round(Number(ns) / 1e6, 4);

function storeFor(home) {
  return createKeyStore({ home, backend: 'file', env: {}, keyring: null, getMasterPassword: async () => Buffer.from(PASSWORD) });
}

/** Per-call latencies in ns of `n` sequential awaited calls. */
async function sample(call, n, into) {
  for (let i = 0; i < n; i += 1) {
    const start = nowNs();
    await call();
    into.push(Number(nowNs() - start));
  }
}

export async function run({ unlocks = 3, rounds = 10, perRound = 400, warmup = 300 } = {}) {
  const home = await mkdtemp(join(tmpdir(), 'la-bench-keys-'));
  try {
    // A vault as a person would have it: a handful of providers, default KDF cost.
    const writer = storeFor(home);
    for (const provider of PROVIDERS) await writer.set(provider, Buffer.from(KEY.replace('Ab3', provider.slice(0, 3))), { kind: 'openai-compatible' });
    await writer.close();
    const vaultBytes = (await stat(join(home, 'vault.json'))).size;

    // (a) Unlock: a fresh store each time, so each first get() pays the KDF.
    const unlockNs = [];
    for (let i = 0; i < unlocks; i += 1) {
      const store = storeFor(home);
      const start = nowNs();
      const key = await store.get('openai');
      unlockNs.push(Number(nowNs() - start));
      key.value.fill(0);
      await store.close();
    }

    // (b) Retrieval after unlock versus reading a plain JSON file of the same size.
    const plain = join(home, 'plain.json');
    const filler = 'x'.repeat(Math.max(0, vaultBytes - KEY.length - 40));
    await writeFile(plain, JSON.stringify({ records: { openai: KEY }, filler }));
    const baselineCall = async () => {
      const json = JSON.parse(await readFile(plain, 'utf8'));
      Buffer.from(json.records.openai).fill(0);
    };
    const store = storeFor(home);
    const subjectCall = async () => {
      (await store.get('openai')).value.fill(0);
    };
    await subjectCall(); // unlock outside the measurement
    const discard = [];
    await sample(baselineCall, warmup, discard);
    await sample(subjectCall, warmup, discard);
    const baseline = [];
    const subject = [];
    for (let r = 0; r < rounds; r += 1) {
      if (r % 2 === 0) {
        await sample(baselineCall, perRound, baseline);
        await sample(subjectCall, perRound, subject);
      } else {
        await sample(subjectCall, perRound, subject);
        await sample(baselineCall, perRound, baseline);
      }
    }
    await store.close();
    const audit = await new AuditLog({ file: join(home, 'audit', 'keys.audit.jsonl') }).verify();

    const toMs = (ns) => round(ns / 1e6, 4);
    const subjectP50 = median(subject);
    const subjectP99 = quantile(subject, 0.99);
    const baselineP50 = median(baseline);
    const targetMs = 1;
    return {
      name: 'keys',
      unit: 'ms per get() after unlock, p50 (file backend)',
      baseline: toMs(baselineP50),
      subject: toMs(subjectP50),
      ratio: round(subjectP50 / baselineP50, 2),
      target: `retrieval after unlock p99 ≤ ${targetMs} ms`,
      pass: subjectP99 / 1e6 <= targetMs,
      details: {
        retrieval_ms: { p50: toMs(subjectP50), p90: toMs(quantile(subject, 0.9)), p99: toMs(subjectP99), max: toMs(Math.max(...subject)) },
        baseline_ms: { p50: toMs(baselineP50), p90: toMs(quantile(baseline, 0.9)), p99: toMs(quantile(baseline, 0.99)), max: toMs(Math.max(...baseline)) },
        unlock_ms: { median: ms(median(unlockNs)), samples: unlockNs.map(ms) },
        kdf: { name: 'scrypt', N: 2 ** 17, r: 8, p: 1 },
        vault_bytes: vaultBytes,
        records: PROVIDERS.length,
        calls_each: rounds * perRound,
        audit_entries_written: audit.ok ? audit.entries : `broken: ${audit.reason}`,
        method: 'interleaved rounds of sequential awaited calls; per-call hrtime; retrieval audits flushed in background batches',
      },
    };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
