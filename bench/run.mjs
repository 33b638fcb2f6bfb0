// Runs every benchmark, prints one line each and the details, and saves them to bench/results/.
// Each benchmark measures its baseline in the same run, so ratios are comparable across machines.
// Usage: npm run bench [-- name ...]   (names: startup, resilience, logging, keys, orchestrator, segmentation, runner, sandbox, fsWrite, store, archive, policy, encryption, gateway, tracing)
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const all = {
  startup: () => import('./startup.mjs'),
  resilience: () => import('./resilience.mjs'),
  logging: () => import('./logging.mjs'),
  keys: () => import('./keys.mjs'),
  orchestrator: () => import('./orchestrator.mjs'),
  segmentation: () => import('./segmentation.mjs'),
  runner: () => import('./runner.mjs'),
  sandbox: () => import('./sandbox.mjs'),
  fsWrite: () => import('./fsWrite.mjs'),
  store: () => import('./store.mjs'),
  archive: () => import('./archive.mjs'),
  policy: () => import('./policy.mjs'),
  encryption: () => import('./encryption.mjs'),
  gateway: () => import('./gateway.mjs'),
  tracing: () => import('./tracing.mjs'),
};

const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(all);
const results = [];
for (const name of chosen) {
  const load = all[name];
  if (!load) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(all).join(', ')}`);
    process.exit(2);
  }
  const { run } = await load();
  const result = await run();
  results.push(result);
  const verdict = result.pass ? 'PASS' : 'FAIL';
  console.log(`${verdict}  ${result.name.padEnd(22)} baseline=${result.baseline} subject=${result.subject} ratio=${result.ratio}  target: ${result.target}`);
  if (result.details) console.log(`      ${JSON.stringify(result.details)}`);
}

const dir = fileURLToPath(new URL('./results/', import.meta.url));
await mkdir(dir, { recursive: true });
const record = { date: new Date().toISOString(), node: process.version, platform: `${process.platform}-${process.arch}`, results };
await writeFile(`${dir}latest.json`, `${JSON.stringify(record, null, 2)}\n`);
process.exitCode = results.every((r) => r.pass) ? 0 : 1;
