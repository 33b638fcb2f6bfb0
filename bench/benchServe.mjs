// The mock model server and `localagent serve` for benchmarks: a fresh home whose model `bench` is an OpenAI-compatible
// provider at `mockUrl`, an admin token, and the server in a child process on a free port.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild } from './processes.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const cli = join(root, 'dist', 'cli', 'main.js');

/** The mock model server in a child process, answering `pong` as model `bench`: `{ child, value: url }`. */
export function startBenchMock() {
  const script = `import { startMockLlm } from ${JSON.stringify(join(root, 'dist/devtools/mock-llm/index.js'))}; const s = await startMockLlm({ script: { models: { bench: { reply: 'pong' } } } }); console.log(s.url);`;
  return startChild(['--input-type=module', '-e', script], (out) => /^(http:\/\/\S+)\n/m.exec(out)?.[1]);
}

/** Runs `localagent <args>` to the end and resolves with its standard output. */
function runCli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`localagent ${args.join(' ')} exited ${code}`))));
  });
}

/**
 * Resolves with `{ url, child, token, home }` once the server listens. `env` is the server's
 * environment (tracing variables, say); `nodeArgs` go before the script (`--cpu-prof`). The caller
 * stops the child and removes the home.
 */
export async function startBenchServe({ mockUrl, env = {}, nodeArgs = [], homePrefix = 'la-bench-' }) {
  const home = await mkdtemp(join(tmpdir(), homePrefix));
  await writeFile(
    join(home, 'config.yaml'),
    // Access log lines are written at info; the bench runs at warn, as a busy server would.
    `log:\n  level: warn\n  file: { enabled: false }\nserver:\n  rate_limit: { max: 10000000 }\n` +
      `providers:\n  mock:\n    type: openai-compatible\n    base_url: ${mockUrl}/v1\n    requires_key: false\n    max_concurrency: 1000\n` +
      `models:\n  - id: bench\n    provider: mock\n    model: bench\norchestrator:\n  detect_ollama: false\n`,
  );
  const { token } = JSON.parse(await runCli(['--home', home, 'token', 'create', '--name', 'bench', '--role', 'admin', '--json']));
  const server = await startChild(
    [...nodeArgs, cli, '--home', home, 'serve', '--port', '0', '--json'],
    (out) => {
      try {
        return JSON.parse(out).url;
      } catch {
        return undefined;
      }
    },
    env,
  );
  return { url: server.value, child: server.child, token, home };
}
