// Added start-up cost of a shell task inside bubblewrap, against the same task run as a plain child
// process, measured in the same run.
//
// Both sides go through the real ShellTool (dist/), running `true` in a temp workspace with an
// allow-all policy: the baseline with no sandbox, the subject with a ShellSandbox in `bwrap` mode
// (mount layout from the file system, bwrap's namespaces and mounts, the program, teardown). Runs
// alternate between the two so machine noise hits both alike; 50 timed runs each after 5 warm-ups.
// Also timed: the same task with `network: true` (bwrap without a network namespace), the mount
// layout step alone, and the one-time detection (bwrap --version plus a trial sandbox, once per app).
//
// Target: ≤ 50 ms added per shell task (median), small next to what a real program takes.
// Needs a build: npx tsc -p tsconfig.build.json (npm run bench does it).
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ShellTool } from '../dist/runner/tools/index.js';
import { ShellSandbox, detectBwrap, sandboxLayout, userHomeDirs } from '../dist/security/sandbox/index.js';
import { median, quantile, round, timed } from './stats.mjs';
import { toolContext } from './toolContext.mjs';


export async function run({ runs = 50, warmups = 5 } = {}) {
  const t0 = performance.now();
  const bwrap = await detectBwrap({ searchPath: process.env.PATH });
  const detectMs = performance.now() - t0;
  if (!bwrap.available) {
    return {
      name: 'sandbox',
      baseline: null,
      subject: null,
      ratio: null,
      target: '≤ 50 ms added per shell task (median)',
      pass: true,
      details: { skipped: `bubblewrap cannot run here (${bwrap.reason}: ${bwrap.detail})` },
    };
  }

  const base = await realpath(await mkdtemp(join(tmpdir(), 'la-bench-sandbox-')));
  const workspace = join(base, 'ws');
  const agentHome = join(base, 'home');
  await mkdir(workspace);
  await mkdir(agentHome);
  try {
    const homeDirs = userHomeDirs(process.env);
    const sandbox = new ShellSandbox({ mode: 'bwrap', localAgentHome: agentHome, homeDirs, searchPath: process.env.PATH });
    await sandbox.status();
    const plain = new ShellTool();
    const isolated = new ShellTool({ sandbox });
    const task = { id: 'bench', kind: 'shell', argv: ['true'] };
    const networkTask = { ...task, network: true };
    const ctx = toolContext(workspace);

    const check = await isolated.run(task, ctx);
    if (check.isolation !== 'bwrap') throw new Error('the subject did not run inside bubblewrap');
    for (let i = 0; i < warmups; i += 1) {
      await plain.run(task, ctx);
      await isolated.run(task, ctx);
    }
    const baseline = [];
    const subject = [];
    const layout = [];
    const withNetwork = [];
    for (let i = 0; i < runs; i += 1) {
      // Alternate which side goes first, so neither always runs right after the other.
      if (i % 2 === 0) {
        baseline.push(await timed(() => plain.run(task, ctx)));
        subject.push(await timed(() => isolated.run(task, ctx)));
      } else {
        subject.push(await timed(() => isolated.run(task, ctx)));
        baseline.push(await timed(() => plain.run(task, ctx)));
      }
      withNetwork.push(await timed(() => isolated.run(networkTask, ctx)));
      layout.push(await timed(async () => sandboxLayout({ workspace, localAgentHome: agentHome, homeDirs, searchPath: process.env.PATH, network: false })));
    }
    const b50 = median(baseline);
    const s50 = median(subject);
    const added = s50 - b50;
    return {
      name: 'sandbox',
      unit: 'ms per shell task running `true` (median)',
      baseline: round(b50, 2),
      subject: round(s50, 2),
      ratio: round(s50 / b50, 2),
      target: '≤ 50 ms added per shell task (median)',
      pass: added <= 50,
      details: {
        runs,
        bwrap: `${bwrap.version} (${bwrap.path})`,
        plain_ms: { p50: round(b50, 2), p95: round(quantile(baseline, 0.95), 2) },
        bwrap_ms: { p50: round(s50, 2), p95: round(quantile(subject, 0.95), 2) },
        bwrap_with_network_ms: { p50: round(median(withNetwork), 2), p95: round(quantile(withNetwork, 0.95), 2) },
        added_ms: { p50: round(added, 2), p95: round(quantile(subject, 0.95) - quantile(baseline, 0.95), 2) },
        layout_ms_p50: round(median(layout), 3),
        detection_once_ms: round(detectMs, 1),
      },
    };
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
