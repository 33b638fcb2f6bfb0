// The HTTP gateway on loopback, measured with autocannon against servers in child processes:
// GET /healthz and an authenticated GET /v1/runs (requests per second), and the OpenAI-compatible
// /v1/chat/completions in front of the mock model server, against Portkey's open-source gateway
// (@portkey-ai/gateway) in front of the same mock, and the mock called directly (the baseline the
// added latency is measured from). The chat measurements are interleaved in rounds so machine load
// affects all three alike.
// Target: LocalAgent's added p50 and p99 latency below Portkey's, and its requests per second ≥ Portkey's.
//
// `node bench/gateway.mjs --load` runs the load test instead: 500 concurrent clients for 30 s on
// an authenticated GET /v1/runs, twice, sampling the server's memory; it must hold with no errors
// and no memory growth from one phase to the next.
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median, round } from './stats.mjs';
import { startBenchMock, startBenchServe } from './benchServe.mjs';
import { cpuMs, rssMiB, startChild, stop } from './processes.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const portkey = join(root, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
const CHAT_BODY = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'ping' }] });

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** autocannon, resolving with its result. */
const cannon = (options) => autocannon(options);

/** A mock model server, a LocalAgent home pointing at it with a token, LocalAgent's server and Portkey's. */
async function startAll({ withPortkey }) {
  const children = [];
  let home;
  try {
    const mock = await startBenchMock();
    children.push(mock.child);
    // LOCALAGENT_BENCH_CPU_PROF=<folder>: the server writes a V8 CPU profile there when it stops.
    const nodeArgs = process.env.LOCALAGENT_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LOCALAGENT_BENCH_CPU_PROF}`] : [];
    const served = await startBenchServe({ mockUrl: mock.value, nodeArgs, homePrefix: 'la-bench-gateway-' });
    home = served.home;
    const { token } = served;
    const la = { child: served.child, value: served.url };
    children.push(la.child);
    let pk;
    if (withPortkey) {
      const port = await freePort();
      pk = await startChild([portkey, `--port=${port}`, '--headless'], (out) => (out.includes('Ready for connections') || out.includes(`:${port}`) ? `http://127.0.0.1:${port}` : undefined), { NODE_ENV: 'production' });
      children.push(pk.child);
    }
    const made = home;
    return {
      mockUrl: mock.value,
      mockPid: mock.child.pid,
      laUrl: la.value,
      laPid: la.child.pid,
      pkUrl: pk?.value,
      pkPid: pk?.child.pid,
      token,
      close: async () => {
        await Promise.all(children.map(stop));
        await rm(made, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(children.map(stop));
    if (home) await rm(home, { recursive: true, force: true });
    throw error;
  }
}

export async function run({ seconds = 5, rounds = 3, connections = 10 } = {}) {
  const env = await startAll({ withPortkey: true });
  try {
    const auth = { authorization: `Bearer ${env.token}` };
    const targets = {
      direct: { url: `${env.mockUrl}/v1/chat/completions`, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' } }, // secret-scan: allow (fake value for a test or benchmark)
      localagent: { url: `${env.laUrl}/v1/chat/completions`, headers: { 'content-type': 'application/json', ...auth } },
      portkey: {
        url: `${env.pkUrl}/v1/chat/completions`,
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${env.mockUrl}/v1` }, // secret-scan: allow (fake value for a test or benchmark)
      },
    };
    // Each answers correctly before anything is timed.
    for (const [name, target] of Object.entries(targets)) {
      const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: CHAT_BODY });
      const body = await response.json();
      if (response.status !== 200 || body.choices?.[0]?.message?.content !== 'pong') throw new Error(`${name} answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
      await cannon({ ...target, method: 'POST', body: CHAT_BODY, connections, duration: 1 });
    }
    const samples = { direct: [], localagent: [], portkey: [] };
    // The CPU time each gateway process spends per request: steadier than latency on a busy machine.
    const pids = { direct: env.mockPid, localagent: env.laPid, portkey: env.pkPid };
    for (let r = 0; r < rounds; r += 1) {
      for (const [name, target] of Object.entries(targets)) {
        const before = await cpuMs(pids[name]);
        const result = await cannon({ ...target, method: 'POST', body: CHAT_BODY, connections, duration: seconds });
        const used = (await cpuMs(pids[name])) - before;
        samples[name].push({ p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, errors: result.errors + result.non2xx + result.timeouts, cpuUs: (used * 1000) / Math.max(1, result.requests.total) });
      }
    }
    const summary = Object.fromEntries(
      Object.entries(samples).map(([name, list]) => [
        name,
        {
          p50_ms: median(list.map((s) => s.p50)),
          p99_ms: median(list.map((s) => s.p99)),
          rps: round(median(list.map((s) => s.rps)), 0),
          errors: list.reduce((n, s) => n + s.errors, 0),
          cpu_us_per_request: round(median(list.map((s) => s.cpuUs)), 0),
        },
      ]),
    );
    const added = (name) => ({ p50_ms: round(summary[name].p50_ms - summary.direct.p50_ms, 2), p99_ms: round(summary[name].p99_ms - summary.direct.p99_ms, 2) });
    const laAdded = added('localagent');
    const pkAdded = added('portkey');

    const health = await cannon({ url: `${env.laUrl}/healthz`, connections: 50, duration: seconds });
    const runs = await cannon({ url: `${env.laUrl}/v1/runs`, headers: auth, connections: 50, duration: seconds });
    const portkeyRoot = await cannon({ url: `${env.pkUrl}/`, connections: 50, duration: seconds });

    const pass =
      laAdded.p50_ms < pkAdded.p50_ms && laAdded.p99_ms < pkAdded.p99_ms && summary.localagent.rps >= summary.portkey.rps && summary.localagent.errors === 0 && health.non2xx + runs.non2xx === 0;
    return {
      name: 'gateway',
      unit: 'ms added to the mock model server (p50), LocalAgent vs Portkey',
      baseline: laAdded.p50_ms === 0 ? 0 : pkAdded.p50_ms,
      subject: laAdded.p50_ms,
      ratio: pkAdded.p50_ms === 0 ? Number.NaN : round(laAdded.p50_ms / pkAdded.p50_ms, 2),
      target: 'added p50 and p99 below Portkey\'s; requests/s ≥ Portkey\'s',
      pass,
      details: {
        connections,
        rounds,
        seconds_per_round: seconds,
        chat: summary,
        added_localagent: laAdded,
        added_portkey: pkAdded,
        healthz_rps: round(health.requests.average, 0),
        healthz_p99_ms: health.latency.p99,
        runs_authenticated_rps: round(runs.requests.average, 0),
        runs_p99_ms: runs.latency.p99,
        portkey_root_rps: round(portkeyRoot.requests.average, 0),
      },
    };
  } finally {
    await env.close();
  }
}

/**
 * 500 concurrent clients for 30 s on an authenticated GET /v1/runs, then the same again: the first
 * phase must hold without errors; memory is sampled every second, and the second phase must end
 * no higher than the first (a leak keeps climbing; a warm heap levels off).
 */
export async function loadTest({ clients = 500, seconds = 30 } = {}) {
  const env = await startAll({ withPortkey: false });
  try {
    const auth = { authorization: `Bearer ${env.token}` };
    // A few runs to list, so each answer has content.
    for (let i = 0; i < 5; i += 1) {
      await fetch(`${env.laUrl}/v1/runs`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ wait: true, plan: { alt: 1, title: `load ${i}`, tasks: [{ id: 't', kind: 'transform', expr: '1' }] } }) });
    }
    await cannon({ url: `${env.laUrl}/v1/runs`, headers: auth, connections: clients, duration: 5 });
    const before = await rssMiB(env.laPid);
    const phases = [];
    for (let phase = 0; phase < 2; phase += 1) {
      const memory = [];
      const sampler = setInterval(() => void rssMiB(env.laPid).then((m) => memory.push(round(m, 1))), 1000);
      // A generous client timeout: on a busy machine a few new connections wait seconds for their SYN to be retried.
      const result = await cannon({ url: `${env.laUrl}/v1/runs`, headers: auth, connections: clients, duration: seconds, timeout: 120 });
      clearInterval(sampler);
      phases.push({
        requests: result.requests.total,
        rps: round(result.requests.average, 0),
        latency_ms: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        rss_mib_end: round(await rssMiB(env.laPid), 1),
        rss_mib_max: Math.max(...memory),
      });
    }
    const [first, second] = phases;
    return {
      name: 'gateway-load',
      clients,
      seconds_per_phase: seconds,
      rss_mib_after_warmup: round(before, 1),
      phases,
      // No growth: the second phase's peak within 10 % of the first's (a sample at the end of a
      // phase depends on when the collector last ran; the peaks do not).
      pass: phases.every((p) => p.errors + p.timeouts + p.non2xx === 0) && second.rss_mib_max <= first.rss_mib_max * 1.1,
    };
  } finally {
    await env.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(process.argv.includes('--load') ? await loadTest() : await run(), null, 2));
}
