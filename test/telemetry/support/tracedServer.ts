import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../../src/app.js';
import { startMockLlm, type MockLlmServer } from '../../../src/devtools/mock-llm/index.js';
import { createServer, type Gateway } from '../../../src/gateway/index.js';

/** A key nothing but the mock model server may ever see. */
export const SENTINEL_KEY = 'sk-sentinel-5e7a1c0d9b8f4a3e2d1c0b9a'; // secret-scan: allow (fake value for a test or benchmark)
/** A prompt nothing but the mock model server may ever see. */
export const SENTINEL_PROMPT = 'SENTINEL-PROMPT-7f3c9e21 tell nobody about the harbour plan';

/** The mock's models: answers, a failing one, a slow streaming one. */
export const MODELS = {
  'mock-fast': { reply: 'ANSWER-TEXT-3b1d hello from the fast mock' },
  'mock-echo': { reply: 'echo' },
  'mock-down': { fault: { kind: 'server_error' as const } },
  'mock-slow': { reply: 'slow answer', ttft_ms: 200, chunk_size: 2, chunk_delay_ms: 5 },
};

/** The home's config: the mock provider (which wants the sentinel key), no retries, quiet file-less logs. */
export function tracedConfig(mock: MockLlmServer, logLevel = 'warn'): string {
  const models = Object.keys(MODELS)
    .map((id) => `  - id: ${id}\n    provider: mock\n    model: ${id}\n    price: { input: 1, output: 2 }\n    capabilities: [text, json]`)
    .join('\n');
  return (
    `log:\n  level: ${logLevel}\n  format: json\n  file: { enabled: false }\nserver: { rate_limit: { auth_failures: 100000 } }\n` +
    `providers:\n  mock:\n    type: openai-compatible\n    base_url: ${mock.openaiBaseUrl}\n    requires_key: true\n    timeout_ms: 5000\n` +
    `models:\n${models}\n` +
    `orchestrator:\n  detect_ollama: false\n  default_strategy: fallback\n` +
    `resilience:\n  retry: { max_attempts: 1, base_delay_ms: 1, max_delay_ms: 5 }\n  breaker: { failure_threshold: 100 }\n`
  );
}

export interface TracedServer {
  app: App;
  gateway: Gateway;
  mock: MockLlmServer;
  workspace: string;
  token: string;
  /** Log lines the app wrote (JSON), oldest first. */
  logs: Record<string, unknown>[];
  call(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A real app and server with tracing pointed at `endpoint` (a collector stub, or a port nobody
 * listens on), in front of the mock model server. `env` adds to the OTEL and key variables.
 */
export async function startTracedServer(endpoint: string, env: NodeJS.ProcessEnv = {}, logLevel = 'warn'): Promise<TracedServer> {
  const mock = await startMockLlm({ requireKey: SENTINEL_KEY, script: { models: MODELS } });
  const home = await mkdtemp(join(tmpdir(), 'la-otel-home-'));
  const workspace = await mkdtemp(join(tmpdir(), 'la-otel-ws-'));
  await writeFile(join(home, 'config.yaml'), tracedConfig(mock, logLevel));
  const logs: Record<string, unknown>[] = [];
  const app = await createApp({
    home,
    cwd: workspace,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, LOCALAGENT_MOCK_API_KEY: SENTINEL_KEY, ...env },
    logStream: { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const { token } = await (await app.tokens()).create({ name: 'otel-test', role: 'admin', createdBy: 'test' });
  const gateway = await createServer({ app, host: '127.0.0.1', port: 0, workspace, events: { pollMs: 100, heartbeatMs: 1000 } });
  return {
    app,
    gateway,
    mock,
    workspace,
    token,
    logs,
    call: (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${token}`);
      if (init.body !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${gateway.url}${path}`, { ...init, headers });
    },
    close: async () => {
      await gateway.close();
      await app.close();
      await mock.close();
      await Promise.all([rm(home, { recursive: true, force: true }), rm(workspace, { recursive: true, force: true })]);
    },
  };
}
