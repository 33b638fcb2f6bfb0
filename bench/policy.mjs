// The cost of one policy decision: the Cedar engine (facts computed in TypeScript, then Cedar's
// statefulIsAuthorized on pre-parsed subsets of the default policies) over a mix of tool requests
// — shell commands, file access, http, models — against a baseline measured in the same run: a
// JSON round trip of the same Cedar request. cedar-wasm hands every call across as JSON, so the
// round trip is the floor for any engine that runs outside JavaScript's heap; the hand-written
// rules that came before were deleted with this engine, so they cannot be run side by side. The
// target is absolute: ≤ 0.1 ms per decision at p50 (single decisions, wall clock). The CPU time of
// single decisions is reported too: on a shared machine it is less disturbed by other processes.
// Needs a build: npx tsc -p tsconfig.build.json (npm run bench does it).
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CedarPolicy, buildPolicySet, toCedarRequest } from '../dist/security/policy/index.js';
import { PreparedPolicies } from '../dist/security/policy/PreparedPolicies.js';
import { quantile, round } from './stats.mjs';

const WS = '/srv/ws';
const HOME = '/home/alice';
const agent = { type: 'Agent', id: 'run-1' };
const base = { run_id: 'run-1', task_id: 't1', workspace: WS, approved: false };
const shell = (argv) => ({ principal: agent, action: 'shell.exec', resource: argv[0], context: { ...base, argv, cwd: WS } });
const file = (action, path) => ({ principal: agent, action, resource: path, context: { ...base, op: action.slice(3) } });
const http = (url) => ({ principal: agent, action: 'http.request', resource: url, context: { ...base, method: 'GET', host: new URL(url).hostname } });

/** A mix like a plan's: mostly allowed reads and commands, some approvals, a few denials. */
const REQUESTS = [
  shell(['echo', 'hello']),
  shell(['ls', '-la', 'src']),
  shell(['grep', '-rn', 'needle', 'src']),
  shell(['git', 'status']),
  shell(['cat', '/etc/passwd']),
  shell(['node', 'script.js']),
  shell(['rm', '-rf', 'build']),
  shell(['bash', '-c', 'curl x | sh']),
  shell(['sudo', 'rm', '-rf', '/']),
  file('fs.read', `${WS}/notes.txt`),
  file('fs.read', `${WS}/src/app.ts`),
  file('fs.write', `${WS}/out/report.md`),
  file('fs.read', `${WS}/.env`),
  file('fs.delete', `${WS}/old.log`),
  file('fs.read', '/etc/shadow'),
  http('http://localhost:8080/health'),
  http('https://api.example.com/v1/data'),
  { principal: agent, action: 'ai.generate', resource: 'auto', context: base },
  { principal: agent, action: 'transform.evaluate', resource: '$sum(tasks.a.output)', context: base },
];

const ROUNDS = 20;
const BATCH = 50;

function batch(fn) {
  const start = process.hrtime.bigint();
  for (let k = 0; k < BATCH; k++) for (const request of REQUESTS) fn(request);
  return Number(process.hrtime.bigint() - start) / 1e6 / (BATCH * REQUESTS.length);
}

export async function run() {
  const loadStart = process.hrtime.bigint();
  const policySet = buildPolicySet();
  const policy = new CedarPolicy({ policySet, homeDir: HOME, allowCommands: ['make'], allowHosts: ['*.internal.test'] });
  const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
  const facts = { allowCommands: ['make'], allowHosts: ['*.internal.test'], homeDir: HOME };
  // The same engine with every request sent to Cedar: what the decisions cost without the
  // TypeScript path for policies that are plain tests of facts.
  const cedarOnly = new CedarPolicy({ policySet, homeDir: HOME, allowCommands: ['make'], allowHosts: ['*.internal.test'], inlineDecisions: false });
  const cedarFn = (request) => cedarOnly.decideNow(request);
  const prepared = new PreparedPolicies(policySet.policies);
  const inlineShare = REQUESTS.filter((request) => {
    const cedar = toCedarRequest(request, { allowCommands: ['make'], allowHosts: ['*.internal.test'], homeDir: HOME });
    const set = prepared.setFor(cedar.action.id, 'unapproved', { ...cedar.context, approved: false });
    return set.size === 0 || set.inline !== undefined;
  }).length;
  const subjectFn = (request) => policy.decideNow(request);
  const factsFn = (request) => toCedarRequest(request, facts);
  const baselineFn = (request) => JSON.parse(JSON.stringify(toCedarRequest(request, facts)));
  const effects = new Map(REQUESTS.map((request) => [request, policy.decideNow(request).effect]));
  // Warm up, so the JIT (and WebAssembly's tier-up) has compiled everything before timing.
  for (let i = 0; i < 300; i++) for (const request of REQUESTS) {
    subjectFn(request);
    cedarFn(request);
    baselineFn(request);
  }
  const baselineMeans = [];
  const subjectMeans = [];
  const factsMeans = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? [[baselineFn, baselineMeans], [subjectFn, subjectMeans]] : [[subjectFn, subjectMeans], [baselineFn, baselineMeans]];
    for (const [fn, out] of order) out.push(batch(fn));
    factsMeans.push(batch(factsFn));
  }
  // Single decisions, for the distribution: each request timed on its own.
  const singles = [];
  const cedarSingles = [];
  const cpu = [];
  const byEffect = { allow: [], deny: [], approve: [] };
  for (let r = 0; r < ROUNDS * 5; r++) {
    for (const request of REQUESTS) {
      const cpuStart = process.cpuUsage();
      const start = process.hrtime.bigint();
      subjectFn(request);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const used = process.cpuUsage(cpuStart);
      singles.push(ms);
      cpu.push((used.user + used.system) / 1000);
      byEffect[effects.get(request)].push(ms);
      const cedarStart = process.hrtime.bigint();
      cedarFn(request);
      cedarSingles.push(Number(process.hrtime.bigint() - cedarStart) / 1e6);
    }
  }
  const baseline = quantile(baselineMeans, 0.5);
  const subject = quantile(subjectMeans, 0.5);
  const p50 = quantile(singles, 0.5);
  const p99 = quantile(singles, 0.99);
  const effectStats = Object.fromEntries(
    Object.entries(byEffect).map(([effect, times]) => [effect, { requests: times.length / (ROUNDS * 5), p50_ms: round(quantile(times, 0.5), 4), p99_ms: round(quantile(times, 0.99), 4) }]),
  );
  return {
    name: 'policy',
    unit: 'ms per decision (mean of batches, median over rounds)',
    baseline: round(baseline, 5),
    subject: round(subject, 4),
    ratio: round(subject / baseline, 1),
    target: 'Cedar decision ≤ 0.1 ms at p50 (single decisions, default policy set)',
    pass: p50 <= 0.1,
    details: {
      requests: REQUESTS.length,
      policies: policySet.policies.length,
      decisions_timed: singles.length + ROUNDS * BATCH * REQUESTS.length * 2,
      subject_p50_ms: round(p50, 4),
      subject_p99_ms: round(p99, 4),
      subject_cpu_p50_ms: round(quantile(cpu, 0.5), 4),
      subject_cpu_p99_ms: round(quantile(cpu, 0.99), 4),
      by_effect: effectStats,
      first_look_decided_in_typescript: `${inlineShare} of ${REQUESTS.length} requests`,
      cedar_only_p50_ms: round(quantile(cedarSingles, 0.5), 4),
      cedar_only_p99_ms: round(quantile(cedarSingles, 0.99), 4),
      facts_only_ms: round(quantile(factsMeans, 0.5), 4),
      load_defaults_ms: round(loadMs, 1),
      load_average_1min: round(loadavg()[0] ?? 0, 1),
      baseline: 'JSON.parse(JSON.stringify(cedarRequest)) of the same request',
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
