// CLI start-up: `localagent --version` and `localagent config path` against `node -e 0`,
// interleaved in the same run so machine load affects both alike. Target: --version ≤ 150 ms median.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, quantile, round } from './stats.mjs';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

function time(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOCALAGENT_HOME: '/nonexistent-localagent-bench' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

export async function run({ iterations = 30 } = {}) {
  const samples = { node: [], version: [], configPath: [] };
  for (let i = 0; i < 3; i += 1) {
    time(['-e', '0']);
    time([cli, '--version']);
  }
  for (let i = 0; i < iterations; i += 1) {
    samples.node.push(time(['-e', '0']));
    samples.version.push(time([cli, '--version']));
    samples.configPath.push(time([cli, 'config', 'path', '--json']));
  }
  const baseline = median(samples.node);
  const subject = median(samples.version);
  return {
    name: 'cli-startup',
    unit: 'ms (median)',
    baseline: round(baseline, 1),
    subject: round(subject, 1),
    ratio: round(subject / baseline, 2),
    target: '--version median ≤ 150 ms',
    pass: subject <= 150,
    details: {
      iterations,
      node_e0_p90_ms: round(quantile(samples.node, 0.9), 1),
      version_p90_ms: round(quantile(samples.version, 0.9), 1),
      version_added_ms: round(subject - baseline, 1),
      config_path_median_ms: round(median(samples.configPath), 1),
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
